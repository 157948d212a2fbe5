"""codecritique.report"""
