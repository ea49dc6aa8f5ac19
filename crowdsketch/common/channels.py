"""Pub/sub channel names that one domain publishes on and another listens to.

They live here, below every domain, so that the listener need not import the publisher
(inference follows the model registry's activations without importing training).
"""

# The id of the model just made active; every inference process reloads on it.
ACTIVE_MODEL_CHANNEL = "models.active"

# An API key changed or was revoked (its id, or "*"): every process forgets its copy.
API_KEYS_CHANNEL = "api_keys.changed"
