"""`python -m web …` is the `qinglian` command."""

from web.cli import main

main()
