"""Analysis over codings: the matrix, agreement and reliability, disagreements, co-occurrence, the methods report.
The top domain layer."""
