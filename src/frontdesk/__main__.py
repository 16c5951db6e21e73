"""`python -m frontdesk …`: the same commands as `frontdesk …`."""

from frontdesk.cli import main

main()
