"""Hypothesis strategies for compose documents, valid and broken.

The documents follow the structure of the Compose specification: top-level ``services``,
``volumes``, ``networks``, ``secrets`` and ``configs``, and per service the keys kompile
maps. Each value is drawn from what the key accepts most of the time, and otherwise from
a wrong type or random text, so one document mixes valid keys with broken ones. Names
refer to each other (``depends_on`` to services, mounts to volumes) often enough that
conversions reach the mappers instead of stopping at the first undefined reference.
"""

from __future__ import annotations

import typing as t

from hypothesis import strategies as st

Document = dict[str, t.Any]

# Names as users write them, including the ones DNS-1123 sanitizing has to change.
NAME = st.one_of(
    st.sampled_from(["web", "db", "cache", "api", "worker", "my_app", "my-app", "App", "a.b"]),
    st.from_regex(r"[a-zA-Z0-9][a-zA-Z0-9_.-]{0,70}", fullmatch=True),
)
TEXT = st.text(max_size=30)
JUNK: st.SearchStrategy[t.Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    TEXT,
    st.lists(st.one_of(st.integers(), TEXT), max_size=3),
    st.dictionaries(TEXT, st.one_of(st.integers(), TEXT), max_size=3),
)


def rarely(flips: int) -> st.SearchStrategy[bool]:
    """Return True with probability 2**-flips; it shrinks towards False."""
    return st.lists(st.booleans(), min_size=flips, max_size=flips).map(all)


def sometimes_wrong(valid: st.SearchStrategy[t.Any]) -> st.SearchStrategy[t.Any]:
    """Return a wrong type or random text once in about 32 draws, else ``valid``."""
    return rarely(5).flatmap(lambda wrong: JUNK if wrong else valid)


PORT_NUMBER = st.integers(min_value=0, max_value=70_000)
PORT_TEXT = st.one_of(
    PORT_NUMBER.map(str),
    st.tuples(PORT_NUMBER, PORT_NUMBER).map(lambda pair: f"{pair[0]}:{pair[1]}"),
    st.tuples(PORT_NUMBER, PORT_NUMBER).map(lambda pair: f"127.0.0.1:{pair[0]}:{pair[1]}"),
    st.tuples(PORT_NUMBER, st.sampled_from(["tcp", "udp", "sctp", "http"])).map(
        lambda pair: f"{pair[0]}/{pair[1]}"
    ),
    st.tuples(PORT_NUMBER, PORT_NUMBER, PORT_NUMBER).map(lambda ports: f"{ports[0]}-{ports[1]}"),
    TEXT,
)
PORT_LONG = st.fixed_dictionaries(
    {"target": sometimes_wrong(PORT_NUMBER)},
    optional={
        "published": sometimes_wrong(PORT_NUMBER.map(str)),
        "protocol": st.sampled_from(["tcp", "udp", "TCP", "icmp"]),
        "name": NAME,
        "app_protocol": st.sampled_from(["http", "grpc"]),
    },
)
PORT = st.one_of(PORT_NUMBER, PORT_TEXT, PORT_LONG)

DURATION = st.one_of(
    st.sampled_from(["10s", "1m30s", "250ms", "1h", "0s", "-5s", "10", "1.5s", "forever"]),
    st.integers(min_value=0, max_value=10_000).map(lambda n: f"{n}s"),
)
BYTES = st.one_of(
    st.sampled_from(["512m", "1g", "1gb", "100k", "12XB", "0", "1.5g"]),
    st.integers(min_value=0, max_value=2**40),
)
CPUS = st.one_of(
    st.floats(min_value=-1, max_value=64, allow_nan=False), st.sampled_from(["0.5", "2", "x"])
)
VARIABLE = st.from_regex(r"[A-Z_][A-Z0-9_]{0,20}", fullmatch=True)
# Values that look like secrets as well as plain ones, so the secret split is exercised.
ENV_VALUE = st.one_of(
    st.none(),
    st.integers(),
    st.booleans(),
    TEXT,
    st.sampled_from(["kompile-fake-pw-3Kd", "postgres://u:kompile-fake@db/app", "${HOME}"]),
)
ENVIRONMENT = st.one_of(
    st.dictionaries(
        st.one_of(VARIABLE, st.sampled_from(["DB_PASSWORD", "API_TOKEN", "SECRET_KEY"])),
        ENV_VALUE,
        max_size=5,
    ),
    st.lists(st.tuples(VARIABLE, TEXT).map(lambda pair: f"{pair[0]}={pair[1]}"), max_size=4),
)
COMMAND = st.one_of(TEXT, st.lists(TEXT, max_size=4), st.none())
HEALTHCHECK = st.fixed_dictionaries(
    {},
    optional={
        "test": st.one_of(
            st.just(["CMD", "true"]),
            st.just(["CMD-SHELL", "curl -f http://localhost/"]),
            st.just(["NONE"]),
            TEXT,
        ),
        "interval": DURATION,
        "timeout": DURATION,
        "retries": st.integers(min_value=-3, max_value=20),
        "start_period": DURATION,
        "disable": st.booleans(),
    },
)
RESOURCES = st.fixed_dictionaries(
    {}, optional={"cpus": sometimes_wrong(CPUS), "memory": sometimes_wrong(BYTES)}
)
DEPLOY = st.fixed_dictionaries(
    {},
    optional={
        "mode": st.sampled_from(["replicated", "global", "replicated-job", "other"]),
        "replicas": st.integers(min_value=-2, max_value=20),
        "resources": st.fixed_dictionaries(
            {}, optional={"limits": RESOURCES, "reservations": RESOURCES}
        ),
        "restart_policy": st.fixed_dictionaries(
            {}, optional={"condition": st.sampled_from(["none", "on-failure", "any", "x"])}
        ),
        "labels": st.dictionaries(VARIABLE, TEXT, max_size=2),
    },
)
X_KOMPILE = st.fixed_dictionaries(
    {},
    optional={
        "workload": st.sampled_from(
            ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod"]
        ),
        "service": st.one_of(
            st.sampled_from(["ClusterIP", "NodePort", "LoadBalancer", "None", "Headless"]),
            st.fixed_dictionaries({"type": st.sampled_from(["ClusterIP", "NodePort", "Bogus"])}),
        ),
        "schedule": st.sampled_from(["*/5 * * * *", "@daily", "never"]),
        "secrets": st.lists(VARIABLE, max_size=2),
        "expose": st.one_of(st.booleans(), st.sampled_from(["example.com", "bad host!"])),
    },
)


def mount(volumes: list[str]) -> st.SearchStrategy[t.Any]:
    target = st.sampled_from(["/data", "/var/lib/app", "/tmp/x", "relative", ""])
    source = st.one_of(st.sampled_from(volumes or ["data"]), st.just("./files"))
    short = st.tuples(source, target, st.sampled_from(["", ":ro", ":rw", ":z", ":bogus"])).map(
        lambda parts: f"{parts[0]}:{parts[1]}{parts[2]}"
    )
    long = st.fixed_dictionaries(
        {"type": st.sampled_from(["volume", "bind", "tmpfs", "npipe"]), "target": target},
        optional={"source": source, "read_only": st.booleans()},
    )
    return st.one_of(short, long, target)


def service(names: list[str], volumes: list[str]) -> st.SearchStrategy[Document]:
    """Return a strategy for one service whose references point at ``names``/``volumes``."""
    others = st.sampled_from(names)
    return st.fixed_dictionaries(
        {"image": sometimes_wrong(st.sampled_from(["nginx:1.27", "mysql:8", "redis", "a/b:c"]))},
        optional={
            "command": sometimes_wrong(COMMAND),
            "entrypoint": sometimes_wrong(COMMAND),
            "environment": sometimes_wrong(ENVIRONMENT),
            "ports": sometimes_wrong(st.lists(sometimes_wrong(PORT), max_size=3)),
            "expose": sometimes_wrong(st.lists(PORT_TEXT, max_size=2)),
            "volumes": sometimes_wrong(st.lists(sometimes_wrong(mount(volumes)), max_size=3)),
            "tmpfs": sometimes_wrong(st.one_of(st.just("/run"), st.lists(st.just("/tmp")))),
            "healthcheck": sometimes_wrong(HEALTHCHECK),
            "deploy": sometimes_wrong(DEPLOY),
            "restart": sometimes_wrong(
                st.sampled_from(["no", "always", "unless-stopped", "on-failure:3", "maybe"])
            ),
            "depends_on": sometimes_wrong(
                st.one_of(
                    st.lists(others, max_size=2, unique=True),
                    st.dictionaries(
                        others,
                        st.fixed_dictionaries(
                            {
                                "condition": st.sampled_from(
                                    ["service_started", "service_healthy", "whenever"]
                                )
                            }
                        ),
                        max_size=2,
                    ),
                )
            ),
            "labels": sometimes_wrong(st.dictionaries(TEXT, TEXT, max_size=2)),
            "user": sometimes_wrong(st.sampled_from(["1000", "1000:1000", "root", "www-data"])),
            "working_dir": sometimes_wrong(st.sampled_from(["/app", "app", ""])),
            "read_only": sometimes_wrong(st.booleans()),
            "privileged": sometimes_wrong(st.booleans()),
            "cap_add": sometimes_wrong(st.lists(st.sampled_from(["NET_ADMIN", "ALL", "x"]))),
            "cap_drop": sometimes_wrong(st.lists(st.sampled_from(["ALL", "CHOWN"]))),
            "stop_grace_period": sometimes_wrong(DURATION),
            "mem_limit": sometimes_wrong(BYTES),
            "cpus": sometimes_wrong(CPUS),
            "hostname": sometimes_wrong(NAME),
            "profiles": sometimes_wrong(st.lists(st.sampled_from(["debug", "prod"]), max_size=1)),
            "extra_hosts": sometimes_wrong(st.lists(st.just("db.local:10.0.0.2"), max_size=1)),
            "sysctls": sometimes_wrong(st.dictionaries(st.just("net.core.somaxconn"), TEXT)),
            "ulimits": sometimes_wrong(
                st.dictionaries(st.sampled_from(["nofile", "nproc"]), st.integers(-1, 100_000))
            ),
            "x-kompile": sometimes_wrong(X_KOMPILE),
        },
    )


@st.composite
def compose_documents(draw: st.DrawFn) -> Document:
    """Draw one compose document; about one key in 32 contains a wrong type."""
    names = draw(st.lists(NAME, min_size=1, max_size=4, unique=True))
    volumes = draw(st.lists(st.sampled_from(["data", "logs", "db_data"]), unique=True))
    services = {name: draw(sometimes_wrong(service(names, volumes))) for name in names}
    document: Document = {"services": services}
    if volumes or draw(st.booleans()):
        document["volumes"] = draw(
            sometimes_wrong(st.fixed_dictionaries({name: st.just({}) for name in volumes}))
        )
    if draw(st.booleans()):
        document["name"] = draw(sometimes_wrong(NAME))
    if draw(rarely(5)):
        document[draw(st.sampled_from(["servicez", "x-kompile", "networks", "secrets"]))] = draw(
            JUNK
        )
    return document
