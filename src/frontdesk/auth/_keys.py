"""Signing keys for SMART Backend Services: generate, load, publish as a JWKS, rotate.

A deployment registers its public keys with Epic as a JWK Set (Epic requires a JWKS URL for
backend apps from 2026). The key id (`kid`) is the RFC 7638 thumbprint, so the same key always
gets the same id and rotation is "publish old + new, then drop old".
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from frontdesk.ehr import ConfigurationError

#: Epic accepts RSA keys of at least 2048 bits.
KEY_BITS = 2048


def generate_key(bits: int = KEY_BITS) -> rsa.RSAPrivateKey:
    """A new RSA private key."""
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def private_pem(key: rsa.RSAPrivateKey) -> bytes:
    """The key as unencrypted PKCS#8 PEM (store it as a secret)."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def load_private_key(*, file: Path | None = None, env: str | None = None) -> rsa.RSAPrivateKey:
    """Load a PEM private key from a file or an environment variable."""
    if file is not None:
        try:
            pem = file.read_bytes()
        except OSError as exc:
            raise ConfigurationError(f"cannot read private key {file}: {exc.strerror}") from None
        source = str(file)
    elif env is not None:
        value = os.environ.get(env)
        if not value:
            raise ConfigurationError(f"environment variable {env} holds no private key")
        pem, source = value.encode(), f"${env}"
    else:
        raise ConfigurationError("no private key configured (file or env)")
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise ConfigurationError(f"{source} is not an unencrypted PEM private key") from exc
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < KEY_BITS:
        raise ConfigurationError(f"{source} must be an RSA key of at least {KEY_BITS} bits")
    return key


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def key_id(public_key: rsa.RSAPublicKey) -> str:
    """The RFC 7638 JWK thumbprint of the key."""
    numbers = public_key.public_numbers()
    e = _b64(numbers.e.to_bytes((numbers.e.bit_length() + 7) // 8, "big"))
    n = _b64(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big"))
    canonical = json.dumps({"e": e, "kty": "RSA", "n": n}, separators=(",", ":"), sort_keys=True)
    return _b64(hashlib.sha256(canonical.encode()).digest())


def public_jwk(public_key: rsa.RSAPublicKey) -> dict[str, Any]:
    """The public key as a JWK for RS384 signatures, with its thumbprint as `kid`."""
    jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(public_key))
    jwk.update({"kid": key_id(public_key), "alg": "RS384", "use": "sig"})
    return jwk


def jwks(public_keys: Sequence[rsa.RSAPublicKey]) -> dict[str, Any]:
    """A JWK Set: publish the current key and, while rotating, the previous one too."""
    return {"keys": [public_jwk(k) for k in public_keys]}
