"""Payment intelligence: transaction records normalised into one table, explainable indicators, ranking."""
