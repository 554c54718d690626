"""The demo study (`manage.py seed_demo`, which `make run` loads): its data in data/, its
loading in seed.py, through the same services a researcher's clicks go through."""
