"""Analysis: extraction (AST → lock IR per function), summaries
(interprocedural), lock graph, cycles.  Nothing here prints."""
