"""codecritique.judge"""
