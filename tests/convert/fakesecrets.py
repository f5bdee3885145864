"""Fake secret values for tests: obviously fake, yet in the form the detector looks for.

Each value is assembled from parts, so the repository never contains a literal string
that a secret scanner would report as a leaked credential.
"""

from __future__ import annotations

import base64


def _b64url(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


FAKE = "kompileFAKE"
PASSWORD = "kompile-fake-pw-7Qz"
PRIVATE_KEY = "\n".join(
    [
        "-----BEGIN " + "RSA PRIVATE KEY-----",
        "S09NUElMRS1GQUtFLU5PVC1BLUtFWQ==",
        "-----END " + "RSA PRIVATE KEY-----",
    ]
)
OPENSSH_PRIVATE_KEY = "-----BEGIN " + "OPENSSH PRIVATE KEY-----\nS09NUElMRQ==\n-----END"
PUBLIC_KEY = "-----BEGIN PUBLIC KEY-----\nS09NUElMRS1QVUJMSUM=\n-----END PUBLIC KEY-----"
CERTIFICATE = "-----BEGIN CERTIFICATE-----\nS09NUElMRS1DRVJU\n-----END CERTIFICATE-----"
SSH_PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKompileFake kompile@example"
JWT = ".".join(
    [_b64url('{"alg":"HS256","typ":"JWT"}'), _b64url('{"sub":"kompile-fake"}'), _b64url(FAKE)]
)
AWS_ACCESS_KEY_ID = "AKIA" + "KOMPILEFAKE00000"
GITHUB_TOKEN = "ghp_" + "kompileFAKE0" * 3
GITHUB_FINE_GRAINED = "github_pat_" + "kompileFAKE0" * 7
GITLAB_TOKEN = "glpat-" + "kompileFAKE0" * 2
SLACK_TOKEN = "xoxb-" + "0000000000-kompileFAKE"
SLACK_WEBHOOK = "https://hooks.slack.com/services/" + "T0FAKE/B0FAKE/kompileFAKE"
STRIPE_KEY = "sk_" + "test_" + "kompileFAKE0" * 2
GOOGLE_API_KEY = "AIza" + "kompileFAKE_" * 2 + "kompileFAKE"
OPENAI_KEY = "sk-" + "proj-" + "kompileFAKE0" * 4
NPM_TOKEN = "npm_" + "kompileFAKE0" * 3
PYPI_TOKEN = "pypi-" + "AgEIcHlwaS5vcmc" + "kompileFAKE0" * 5
SENDGRID_KEY = "SG." + "kompileFAKE" * 2 + "." + "kompileFAKE" * 3 + "0" * 10
DOCKER_HUB_TOKEN = "dckr_" + "pat_" + "kompileFAKE0" * 2
VAULT_TOKEN = "hvs." + "kompileFAKE0" * 3
HUGGING_FACE_TOKEN = "hf_" + "kompileFAKE0" * 3
DIGITALOCEAN_TOKEN = "dop_" + "v1_" + "f" * 64
SHOPIFY_TOKEN = "shpat_" + "fa" * 16
TELEGRAM_TOKEN = "123456789:" + "kompileFAKE_" * 2 + "kompileFAKE"
RANDOM_BASE64 = "S29tcGlsZUZha2VSYW5kb20wMTIzNDU2Nzg5"
RANDOM_HEX = "3f7a9c2e8b1d4f6a0c5e7b9d2f4a6c8e"
