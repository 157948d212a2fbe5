"""The Problem/Test model and loaders for the ecosystem's problem formats."""
