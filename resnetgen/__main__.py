from resnetgen.cli import main

raise SystemExit(main())
