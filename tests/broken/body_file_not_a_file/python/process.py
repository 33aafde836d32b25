def run(session, source):
    return source
