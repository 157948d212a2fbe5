"""codecritique.llm"""
