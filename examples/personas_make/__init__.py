"""The parts of make_personas.py: scenes.py draws, common.py holds what every persona's build shares, and
yuna.py (Instagram), jiho.py (Facebook) and soyeon.py (X) each write one persona's export."""
