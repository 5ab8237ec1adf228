"""Payment indicators, one module per family of rules; `winnow.payments.rules.RULES` is the registry."""
