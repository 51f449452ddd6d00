"""Drives the AWS test server with boto3, an independent client, to show the server is faithful to AWS.

Reads {"endpoint", "region", "attempts"?, "calls": [{"op", "params", "paginate"?}]} as JSON on stdin and prints one JSON result per call:
{"ok": response} or {"error": {"code", "status"}}. bytes are printed as base64, datetimes as ISO 8601.
"""
import base64
import datetime
import json
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError


def plain(value):
    if isinstance(value, (bytes, bytearray)):
        return {"$base64": base64.b64encode(value).decode()}
    if isinstance(value, datetime.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def decode(params):
    # Tests pass binary parameters as {"$base64": ...}; boto3 wants bytes.
    return {k: base64.b64decode(v["$base64"]) if isinstance(v, dict) and "$base64" in v else v for k, v in params.items()}


def main():
    spec = json.load(sys.stdin)
    client = boto3.client(
        "secretsmanager",
        endpoint_url=spec["endpoint"],
        region_name=spec["region"],
        config=Config(retries={"total_max_attempts": spec.get("attempts", 1), "mode": "standard"}),
    )
    results = []
    for call in spec["calls"]:
        params = decode(call.get("params", {}))
        try:
            if call.get("paginate"):
                pages = client.get_paginator(call["op"]).paginate(**params)
                results.append({"ok": [plain(page) for page in pages]})
            else:
                results.append({"ok": plain(getattr(client, call["op"])(**params))})
        except ClientError as error:
            results.append({"error": {
                "code": error.response["Error"]["Code"],
                "status": error.response["ResponseMetadata"]["HTTPStatusCode"],
            }})
    json.dump(results, sys.stdout)


main()
