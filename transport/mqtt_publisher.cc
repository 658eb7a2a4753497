// Purpose: (being written)
