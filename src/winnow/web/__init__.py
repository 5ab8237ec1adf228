"""The review web app (`winnow serve`): accounts and roles, a review queue, categorisation, exposure controls."""
