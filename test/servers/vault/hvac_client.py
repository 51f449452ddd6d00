"""Drive the Vault test server with hvac (Debian python3-hvac), an independent client.

Reads a JSON config on stdin (url, tokens, credentials) and prints one JSON object: for each
scenario, what hvac returned or the name of the exception it raised. The vitest side
(hvac.test.ts) compares that with the shapes in Vault's API docs.
"""
import json
import sys

import hvac


def run(name, results, action):
    try:
        results[name] = {"ok": action()}
    except Exception as error:  # report the hvac exception class, e.g. Forbidden / InvalidPath
        results[name] = {"error": type(error).__name__}


def main():
    cfg = json.load(sys.stdin)
    url = cfg["url"]
    results = {}

    root = hvac.Client(url=url, token=cfg["root_token"])
    run("token_is_authenticated", results, root.is_authenticated)
    run("lookup_self", results, lambda: root.auth.token.lookup_self()["data"])
    run("health", results, lambda: root.sys.read_health_status(method="GET"))
    run("kv2_read", results, lambda: root.secrets.kv.v2.read_secret_version(path="app/db", mount_point="secret"))
    run("kv2_read_version", results, lambda: root.secrets.kv.v2.read_secret_version(path="app/db", version=1, mount_point="secret"))
    run("kv2_read_nested_mount", results, lambda: root.secrets.kv.v2.read_secret_version(path="svc/cfg", mount_point="kv/team-a"))
    run("kv2_read_deleted", results, lambda: root.secrets.kv.v2.read_secret_version(path="app/gone", mount_point="secret"))
    run("kv2_read_absent", results, lambda: root.secrets.kv.v2.read_secret_version(path="app/nothing", mount_point="secret"))
    run("kv2_write", results, lambda: root.secrets.kv.v2.create_or_update_secret(path="hvac/new", secret={"k": "from-hvac"}, mount_point="secret"))
    run("kv1_read", results, lambda: root.secrets.kv.v1.read_secret(path="app/db", mount_point="legacy"))
    run("ui_mounts", results, lambda: root.adapter.get("/v1/sys/internal/ui/mounts/secret"))

    narrow = hvac.Client(url=url, token=cfg["narrow_token"])
    run("forbidden_read", results, lambda: narrow.secrets.kv.v2.read_secret_version(path="app/db", mount_point="secret"))
    run("bad_token", results, lambda: hvac.Client(url=url, token="hvs.not-a-token").secrets.kv.v2.read_secret_version(path="app/db"))

    approle = hvac.Client(url=url)

    def approle_login_and_read():
        login = approle.auth.approle.login(role_id=cfg["role_id"], secret_id=cfg["secret_id"])
        read = approle.secrets.kv.v2.read_secret_version(path="app/db", mount_point="secret")
        renewed = approle.auth.token.renew_self()
        return {"auth": {k: v for k, v in login["auth"].items() if k != "client_token"}, "url_key": sorted(read["data"]["data"]), "renewed": renewed["auth"]["lease_duration"]}

    run("approle", results, approle_login_and_read)
    run("approle_bad_secret", results, lambda: hvac.Client(url=url).auth.approle.login(role_id=cfg["role_id"], secret_id="wrong"))

    kube = hvac.Client(url=url)

    def kubernetes_login_and_read():
        kube.auth.kubernetes.login(role=cfg["k8s_role"], jwt=cfg["jwt"])
        return sorted(kube.secrets.kv.v2.read_secret_version(path="app/db", mount_point="secret")["data"]["data"])

    run("kubernetes", results, kubernetes_login_and_read)

    team = hvac.Client(url=url, namespace=cfg["namespace"])

    def namespace_login_and_read():
        team.auth.approle.login(role_id=cfg["ns_role_id"], secret_id=cfg["ns_secret_id"])
        return sorted(team.secrets.kv.v2.read_secret_version(path="svc/key", mount_point="secret")["data"]["data"])

    run("namespace", results, namespace_login_and_read)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
