while True:  # burns CPU at import: the CPU limit ends it
    pass
