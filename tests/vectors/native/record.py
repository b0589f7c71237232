#!/usr/bin/env python3
"""Record the vectors of tests/unit/test_native.c and tests/unit/test_s3.c.

For each control-plane case, botocore serializes the request (after checking
its parameters against the DynamoDB API model it ships) and sends it to a
moto_server started here; both the body botocore sent and moto's raw answer
are kept:

  CASE.request.json    the request body, as botocore wrote it (the golden
                       body dynamo's request builder must equal)
  CASE.response.json   moto's answer, byte for byte

and a few ListObjectsV2 answers (S3 on the same moto) as s3_list_*.xml.
Files named aws_*.json and s3_aws_*.xml are written by hand from the AWS
API reference's shapes (what moto does not produce: ExportManifest, an
export IN_PROGRESS or FAILED, an S3 error); this script leaves them alone.

The cases' parameters mirror the specs in tests/unit/test_native.c: change
both together. Times are fixed; ARNs, ids and dates in answers are moto's.

Usage: python3 tests/vectors/native/record.py [outdir]
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import boto3
from botocore.serialize import create_serializer
from botocore.validate import validate_parameters

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else HERE
KEY = dict(aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
           aws_secret_access_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
           region_name="us-east-1")
T_EXPORT = 1767225600          # 2026-01-01T00:00:00Z
T_FROM, T_TO = 1767225600, 1767229200   # one hour


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_moto():
    port = free_port()
    exe = shutil.which("moto_server")
    argv = [exe] if exe else [sys.executable, "-m", "moto.server"]
    proc = subprocess.Popen(argv + ["-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, "http://127.0.0.1:%d" % port
        except OSError:
            time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGTERM)
    raise SystemExit("moto_server did not start")


class Recorder:
    """A client whose next call's request body and raw answer are kept."""

    def __init__(self, client):
        self.client = client
        self.sent = self.got = None
        ev = client.meta.events
        ev.register("before-send.*", self.on_send)
        ev.register("after-call.*", self.on_answer)

    def on_send(self, request, **kw):
        self.sent = request.body

    def on_answer(self, http_response, **kw):
        self.got = http_response.content

    def call(self, name, op, **params):
        getattr(self.client, op)(**params)
        body = json.loads(self.sent) if self.sent else {}
        write(name + ".request.json", json.dumps(body, indent=1, sort_keys=False) + "\n")
        write(name + ".response.json", self.got.decode())

    def serialize(self, name, op, **params):
        """Only the request body, for what moto does not take (checked against the model all the same)."""
        model = self.client.meta.service_model.operation_model(op)
        validate_parameters(params, model.input_shape)
        req = create_serializer("json").serialize_to_request(params, model)
        write(name + ".request.json", json.dumps(json.loads(req["body"]), indent=1) + "\n")


def write(name, text):
    with open(os.path.join(OUT, name), "w", encoding="utf-8", newline="") as f:
        f.write(text)


def record_ddb(url):
    raw = boto3.client("dynamodb", endpoint_url=url, **KEY)
    s3 = boto3.client("s3", endpoint_url=url, **KEY)
    rec = Recorder(boto3.client("dynamodb", endpoint_url=url, **KEY))
    s3.create_bucket(Bucket="exports")
    raw.create_table(
        TableName="orders",
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"},
                              {"AttributeName": "SK", "AttributeType": "S"},
                              {"AttributeName": "GSI1PK", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[{"IndexName": "GSI1",
                                 "KeySchema": [{"AttributeName": "GSI1PK", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"},
                                 "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 3}}],
        BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 10, "WriteCapacityUnits": 4})
    raw.put_item(TableName="orders", Item={"PK": {"S": "TENANT#1"}, "SK": {"S": "A"}, "n": {"N": "1.50"}})
    desc = raw.describe_table(TableName="orders")["Table"]
    arn = desc["TableArn"]
    rec.call("describe_table_orders", "describe_table", TableName="orders")

    rec.call("pitr_describe_disabled", "describe_continuous_backups", TableName="orders")
    rec.call("pitr_enable", "update_continuous_backups", TableName="orders",
             PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    rec.call("pitr_enable_days", "update_continuous_backups", TableName="orders",
             PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True,
                                               "RecoveryPeriodInDays": 7})
    rec.call("pitr_describe_enabled", "describe_continuous_backups", TableName="orders")

    # botocore makes up a ClientToken when none is given: give one, to compare.
    rec.call("export_full", "export_table_to_point_in_time", TableArn=arn, S3Bucket="exports",
             S3Prefix="nightly", ClientToken="dynamo-test-0", ExportFormat="DYNAMODB_JSON",
             ExportType="FULL_EXPORT")
    export_arn = json.loads(rec.got)["ExportDescription"]["ExportArn"]
    rec.call("export_describe", "describe_export", ExportArn=export_arn)
    # moto ignores the point in time and the owner; the request shapes are what matter.
    rec.call("export_at_time", "export_table_to_point_in_time", TableArn=arn, S3Bucket="exports",
             S3Prefix="at", S3BucketOwner="123456789012", ClientToken="dynamo-test-1",
             ExportFormat="DYNAMODB_JSON", ExportType="FULL_EXPORT", ExportTime=T_EXPORT)
    rec.call("export_incremental", "export_table_to_point_in_time", TableArn=arn, S3Bucket="exports",
             S3Prefix="inc", S3SseAlgorithm="KMS", S3SseKmsKeyId="alias/exports",
             ClientToken="dynamo-test-2",
             ExportFormat="DYNAMODB_JSON", ExportType="INCREMENTAL_EXPORT",
             IncrementalExportSpecification={"ExportFromTime": T_FROM, "ExportToTime": T_TO,
                                             "ExportViewType": "NEW_IMAGE"})

    # The import's schema is the described table's: keys, attributes, billing, GSIs.
    rec.call("import_gsi", "import_table", ClientToken="dynamo-import-1",
             S3BucketSource={"S3Bucket": "exports", "S3KeyPrefix": "nightly/AWSDynamoDB/"},
             InputFormat="DYNAMODB_JSON", InputCompressionType="GZIP",
             TableCreationParameters={
                 "TableName": "orders-copy",
                 "AttributeDefinitions": desc["AttributeDefinitions"],
                 "KeySchema": desc["KeySchema"],
                 "BillingMode": "PROVISIONED",
                 "ProvisionedThroughput": {"ReadCapacityUnits": 10, "WriteCapacityUnits": 4},
                 "GlobalSecondaryIndexes": [{
                     "IndexName": "GSI1",
                     "KeySchema": [{"AttributeName": "GSI1PK", "KeyType": "HASH"}],
                     "Projection": {"ProjectionType": "ALL"},
                     "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 3}}]})
    import_arn = json.loads(rec.got)["ImportTableDescription"]["ImportArn"]
    for _ in range(50):
        if raw.describe_import(ImportArn=import_arn)["ImportTableDescription"]["ImportStatus"] != "IN_PROGRESS":
            break
        time.sleep(0.1)
    rec.call("import_describe", "describe_import", ImportArn=import_arn)

    rec.call("restore_latest", "restore_table_to_point_in_time", SourceTableName="orders",
             TargetTableName="orders-restored", UseLatestRestorableTime=True)
    rec.call("restore_at_time", "restore_table_to_point_in_time", SourceTableName="orders",
             TargetTableName="orders-restored-2", RestoreDateTime=T_EXPORT,
             BillingModeOverride="PAY_PER_REQUEST")
    # moto restores by name only.
    rec.serialize("restore_by_arn", "RestoreTableToPointInTime", SourceTableArn=arn,
                  TargetTableName="orders-restored-3", UseLatestRestorableTime=True)


def record_s3(url):
    s3 = boto3.client("s3", endpoint_url=url, **KEY)
    got = {}

    def on_answer(http_response, **kw):
        got["body"] = http_response.content

    s3.meta.events.register("after-call.s3.ListObjectsV2", on_answer)
    s3.create_bucket(Bucket="listing")
    for key in ("exp/a b+c.json.gz", "exp/caf\u00e9/1", "exp/data/2.json.gz", "other/x"):
        s3.put_object(Bucket="listing", Key=key, Body=key.encode())
    first = s3.list_objects_v2(Bucket="listing", Prefix="exp/", EncodingType="url", MaxKeys=2)
    write("s3_list_page1.xml", got["body"].decode())
    s3.list_objects_v2(Bucket="listing", Prefix="exp/", EncodingType="url", MaxKeys=2,
                       ContinuationToken=first["NextContinuationToken"])
    write("s3_list_page2.xml", got["body"].decode())
    s3.list_objects_v2(Bucket="listing", Prefix="none/", EncodingType="url")
    write("s3_list_empty.xml", got["body"].decode())


def main():
    os.makedirs(OUT, exist_ok=True)
    proc, url = start_moto()
    try:
        record_ddb(url)
        record_s3(url)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait()


if __name__ == "__main__":
    main()
