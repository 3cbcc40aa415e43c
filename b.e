/dev/fd/3: line 37: ./E: No such file or directory
