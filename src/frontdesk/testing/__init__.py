"""Public test helpers: a scripted caller for the HTTP API; a deployment on a sandbox elsewhere."""

from frontdesk.testing._caller import CallFailed, ScriptedCaller
from frontdesk.testing._cluster import Cluster, Worker, cluster
from frontdesk.testing._remote import remote_sandbox_deployment, remote_sandbox_yaml

__all__ = [
    "CallFailed",
    "Cluster",
    "ScriptedCaller",
    "Worker",
    "cluster",
    "remote_sandbox_deployment",
    "remote_sandbox_yaml",
]
