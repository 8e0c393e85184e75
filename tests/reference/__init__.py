"""An independent pandas implementation of the scoring model, used to check the SQL engine."""
