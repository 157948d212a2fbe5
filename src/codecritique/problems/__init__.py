"""codecritique.problems"""
