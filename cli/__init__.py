"""The `inspect` command: thin click commands that parse options, call one function and print."""
