import sys

from newscrawler.cli import main

sys.exit(main())
