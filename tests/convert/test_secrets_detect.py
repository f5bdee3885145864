"""Secret detection on a table of real-world variable names and values.

Covers: name words and their boundaries, setting names, value formats (URLs and connection
strings with passwords, PEM keys, JWTs, vendor tokens, random strings), values that are
never secret, and the precision and recall over the whole table.

Assertions compare booleans and counts, and failures list variable names only, so a
failing run never prints a value.
"""

from __future__ import annotations

import pytest

from kompile.convert import secretdetect
from kompile.convert.secretdetect import classify
from tests.convert import fakesecrets as fake

PW = fake.PASSWORD

# (name, value, expected secret)
TABLE: list[tuple[str, str, bool]] = [
    # Passwords and secrets by name, from the official images' documentation.
    ("POSTGRES_PASSWORD", PW, True),
    ("MYSQL_ROOT_PASSWORD", PW, True),
    ("MYSQL_PASSWORD", PW, True),
    ("MARIADB_ROOT_PASSWORD", PW, True),
    ("MONGO_INITDB_ROOT_PASSWORD", PW, True),
    ("MINIO_ROOT_PASSWORD", PW, True),
    ("GF_SECURITY_ADMIN_PASSWORD", PW, True),
    ("RABBITMQ_DEFAULT_PASS", PW, True),
    ("REDIS_PASSWORD", PW, True),
    ("KEYCLOAK_ADMIN_PASSWORD", PW, True),
    ("LDAP_BIND_PASSWORD", PW, True),
    ("PGPASSWORD", PW, True),
    ("SMTP_PASS", PW, True),
    ("DB_PASS", PW, True),
    ("DB_PASSWD", PW, True),
    ("MYSQL_PWD", PW, True),
    ("GPG_PASSPHRASE", PW, True),
    ("dbPassword", PW, True),
    ("db-password", PW, True),
    ("db.password", PW, True),
    ("RAILS_MASTER_KEY", PW, True),
    ("SECRET_KEY_BASE", PW, True),
    ("SECRET_KEY", PW, True),
    ("DJANGO_SECRET_KEY", PW, True),
    ("JWT_SECRET", PW, True),
    ("NEXTAUTH_SECRET", PW, True),
    ("SESSION_SECRET", PW, True),
    ("CLIENT_SECRET", PW, True),
    ("OAUTH_CLIENT_SECRET", PW, True),
    ("clientSecret", PW, True),
    ("APP_KEY", PW, True),
    ("LICENSE_KEY", PW, True),
    ("AWS_SECRET_ACCESS_KEY", PW, True),
    ("AWS_ACCESS_KEY_ID", PW, True),
    ("AWS_SESSION_TOKEN", PW, True),
    ("MINIO_ACCESS_KEY", PW, True),
    ("GITHUB_TOKEN", PW, True),
    ("NPM_TOKEN", PW, True),
    ("VAULT_TOKEN", PW, True),
    ("SENTRY_AUTH_TOKEN", PW, True),
    ("REFRESH_TOKEN", PW, True),
    ("API_KEY", PW, True),
    ("APIKEY", PW, True),
    ("OPENAI_API_KEY", PW, True),
    ("apiKey", PW, True),
    ("APIKey", PW, True),
    ("PRIVATE_KEY", PW, True),
    ("SERVICE_CREDENTIALS", PW, True),
    ("REGISTRY_CREDS", PW, True),
    ("CREDENTIAL", PW, True),
    ("AUTH_KEY", PW, True),
    ("REDIS_AUTH", PW, True),
    ("AUTH_SALT", PW, True),
    ("PASSWORD_SALT", PW, True),
    ("JWT_SIGNING_KEY", PW, True),
    ("DATA_ENCRYPTION_KEY", PW, True),
    ("N8N_ENCRYPTION_KEY", PW, True),
    # Secrets by value, under names that do not look secret.
    ("DATABASE_URL", "postgres://app:" + PW + "@db:5432/app", True),
    ("REDIS_URL", "redis://:" + PW + "@redis:6379/0", True),
    ("CELERY_BROKER_URL", "amqp://worker:" + PW + "@rabbit:5672//", True),
    ("MONGO_URI", "mongodb+srv://app:" + PW + "@cluster0.example.net/app", True),
    ("SQLALCHEMY_DATABASE_URI", "mysql+pymysql://app:" + PW + "@db/app", True),
    ("MYSQL_DSN", "app:" + PW + "@tcp(db:3306)/app", True),
    ("CONNECTION_STRING", "Server=db;Database=app;User Id=sa;Password=" + PW + ";", True),
    ("PG_CONNINFO", "host=db user=app password=" + PW + " dbname=app", True),
    ("AZURE_STORAGE", "AccountName=fake;AccountKey=" + fake.RANDOM_BASE64 + ";", True),
    ("SSH_IDENTITY", fake.PRIVATE_KEY, True),
    ("DEPLOY_IDENTITY", fake.OPENSSH_PRIVATE_KEY, True),
    ("ANALYTICS_CONFIG", fake.JWT, True),
    ("AWS_KEY_ID", fake.AWS_ACCESS_KEY_ID, True),
    ("GH", fake.GITHUB_TOKEN, True),
    ("GH_FINE", fake.GITHUB_FINE_GRAINED, True),
    ("GITLAB", fake.GITLAB_TOKEN, True),
    ("SLACK", fake.SLACK_TOKEN, True),
    ("SLACK_WEBHOOK_URL", fake.SLACK_WEBHOOK, True),
    ("STRIPE", fake.STRIPE_KEY, True),
    ("MAPS", fake.GOOGLE_API_KEY, True),
    ("OPENAI", fake.OPENAI_KEY, True),
    ("NPMRC", fake.NPM_TOKEN, True),
    ("TWINE", fake.PYPI_TOKEN, True),
    ("SENDGRID", fake.SENDGRID_KEY, True),
    ("DOCKERHUB", fake.DOCKER_HUB_TOKEN, True),
    ("VAULT_ADDR_AND_LOGIN", fake.VAULT_TOKEN, True),
    ("HUGGINGFACE", fake.HUGGING_FACE_TOKEN, True),
    ("DIGITALOCEAN", fake.DIGITALOCEAN_TOKEN, True),
    ("SHOPIFY", fake.SHOPIFY_TOKEN, True),
    ("TELEGRAM_BOT", fake.TELEGRAM_TOKEN, True),
    ("SESSION_COOKIE_VALUE", fake.RANDOM_BASE64, True),
    ("LICENSE", fake.RANDOM_HEX, True),
    # Words that only look like secret words.
    ("PASSENGER_NAME", "ada", False),
    ("AUTHOR", "Ada Lovelace", False),
    ("AUTHOR_EMAIL", "ada@example.com", False),
    ("BYPASS_CACHE", "sometimes", False),
    ("TOKENIZER_MODEL", "bert-base", False),
    ("KEYBOARD_LAYOUT", "us", False),
    ("SALTSTACK_MASTER", "salt.example.com", False),
    ("PWD", "/srv/app", False),
    ("OLDPWD", "/srv", False),
    # Settings about a secret, not the secret.
    ("PASSWORD_MIN_LENGTH", "12", False),
    ("TOKEN_TTL", "3600", False),
    ("ACCESS_TOKEN_LIFETIME", "5m", False),
    ("JWT_SECRET_EXPIRES_IN", "7d", False),
    ("OPENAI_MAX_TOKENS", "100000", False),
    ("MAX_PASSWORD_AGE", "90d", False),
    ("PASSWORD_HASH_ROUNDS", "12", False),
    ("OAUTH_TOKEN_URL", "https://auth.example.com/token", False),
    ("PASSWORD_RESET_URL", "https://example.com/reset", False),
    ("SECRET_NAME", "db-credentials", False),
    ("WEBHOOK_SECRET_HEADER", "X-Signature", False),
    ("AUTH_TYPE", "basic", False),
    ("SMTP_AUTH_USER", "mailer", False),
    ("GF_AUTH_ANONYMOUS_ENABLED", "true", False),
    ("GF_AUTH_DISABLE_LOGIN_FORM", "false", False),
    ("CREDENTIALS_PROVIDER", "env", False),
    ("CACHE_KEY_PREFIX", "app:", False),
    ("PRIMARY_KEY", "id", False),
    # Files, references, flags and small numbers under secret names.
    ("POSTGRES_PASSWORD_FILE", "/run/secrets/pgpass", False),
    ("MYSQL_ROOT_PASSWORD_FILE", "/run/secrets/db_root_password", False),
    ("GOOGLE_APPLICATION_CREDENTIALS", "/secrets/gcp.json", False),
    ("PUBLIC_KEY_PATH", "/etc/keys/public.pem", False),
    ("DB_PASSWORD", "", False),
    ("DB_PASSWORD", "${DB_PASSWORD}", False),
    ("API_TOKEN", "$API_TOKEN", False),
    ("BASIC_AUTH", "false", False),
    ("SMTP_AUTH", "1", False),
    # Public material.
    ("JWT_PUBLIC_KEY", fake.PUBLIC_KEY, False),
    ("SSH_AUTHORIZED_KEY", fake.SSH_PUBLIC_KEY, False),
    ("TLS_CERT", fake.CERTIFICATE, False),
    ("STRIPE_PUBLISHABLE_KEY", "pk_test_kompileFAKE", False),
    ("NEXT_PUBLIC_API_KEY", "pk_kompileFAKE", False),
    ("RECAPTCHA_SITE_KEY", "6LckompileFAKE", False),
    # URLs without a password, DSNs with a public key only.
    ("DATABASE_URL", "postgres://db:5432/app", False),
    ("REDIS_URL", "redis://redis:6379/0", False),
    ("HTTP_PROXY", "http://proxy.internal:3128", False),
    ("SENTRY_DSN", "https://kompilefakepublickey@o0.ingest.example.io/0", False),
    # Plain settings, identifiers and checksums.
    ("MYSQL_USER", "app", False),
    ("MYSQL_DATABASE", "app", False),
    ("POSTGRES_USER", "postgres", False),
    ("OAUTH_CLIENT_ID", "my-client", False),
    ("TZ", "Europe/Berlin", False),
    ("LANG", "en_US.UTF-8", False),
    ("NODE_ENV", "production", False),
    ("PATH", "/usr/local/bin:/usr/bin:/bin", False),
    ("JAVA_OPTS", "-Xmx512m -Dfile.encoding=UTF-8", False),
    ("AWS_REGION", "eu-west-1", False),
    ("APP_VERSION", "1.2.3-alpha.4+build.5678", False),
    ("GIT_SHA", "0123456789abcdef0123456789abcdef01234567", False),
    ("CORRELATION_ID", "f47ac10b-58cc-4372-a567-0e02b2c3d479", False),
    ("IMAGE_DIGEST", "sha256:" + "0123456789abcdef" * 4, False),
    ("SERVICE_NAME", "CamelCaseServiceName", False),
    ("CLUSTER", "production-eu-west-1-cluster", False),
]


def test_table_has_enough_rows() -> None:
    assert len(TABLE) >= 100


def test_table_has_both_classes() -> None:
    positives = sum(expected for _, _, expected in TABLE)
    assert positives >= 40
    assert len(TABLE) - positives >= 40


def test_precision_and_recall_on_table(capsys: pytest.CaptureFixture[str]) -> None:
    true_positive = false_positive = false_negative = 0
    wrong: list[str] = []
    for name, value, expected in TABLE:
        found = classify(name, value) is not None
        true_positive += found and expected
        false_positive += found and not expected
        false_negative += expected and not found
        if found != expected:
            wrong.append(name)
    precision = true_positive / max(true_positive + false_positive, 1)
    recall = true_positive / max(true_positive + false_negative, 1)
    with capsys.disabled():
        print(f"\nsecret detection on {len(TABLE)} rows: precision {precision}, recall {recall}")
    assert wrong == []
    assert precision == 1.0
    assert recall == 1.0


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("DB_PASS", ["DB", "PASS"]),
        ("dbPassword", ["DB", "PASSWORD"]),
        ("APIKey", ["API", "KEY"]),
        ("oauth2Token", ["OAUTH2", "TOKEN"]),
        ("a.b-c_d", ["A", "B", "C", "D"]),
    ],
    ids=["underscore", "camel", "acronym", "digit", "separators"],
)
def test_name_words_split(name: str, words: list[str]) -> None:
    assert secretdetect.name_words(name) == words


def test_value_rule_names_reason() -> None:
    finding = classify("DATABASE_URL", "postgres://app:" + PW + "@db/app")
    assert finding is not None
    assert finding.by == "value"
    assert finding.reason == "URL with a password"


def test_name_rule_names_reason() -> None:
    finding = classify("DB_PASS", PW)
    assert finding is not None
    assert finding.by == "name"


def test_unset_value_is_not_secret() -> None:
    assert classify("DB_PASSWORD", None) is None


def test_url_password_reference_is_not_secret() -> None:
    assert classify("DATABASE_URL", "postgres://app:${PGPASS}@db/app") is None


def test_bundle_with_private_key_is_secret() -> None:
    bundle = fake.CERTIFICATE + "\n" + fake.PRIVATE_KEY
    assert classify("TLS_CERT", bundle) is not None


def test_identifier_name_skips_entropy_only() -> None:
    assert classify("BUILD_ID", fake.RANDOM_BASE64) is None
    assert classify("BUILD_ID", fake.GITHUB_TOKEN) is not None


def test_entropy_counts_characters() -> None:
    assert secretdetect.shannon_entropy("aaaa") == 0.0
    assert secretdetect.shannon_entropy("abcd") == 2.0
