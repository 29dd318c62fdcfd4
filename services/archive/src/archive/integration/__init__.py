"""Agency integration: idempotent bulk submissions, EAD3 export, webhooks."""
