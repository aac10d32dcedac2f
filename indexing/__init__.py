"""Knowledge engine: load the knowledge folder, index it, answer questions from it."""
