"""Analysis over codings: the matrix, agreement and reliability, disagreements, reports. The top domain layer."""
