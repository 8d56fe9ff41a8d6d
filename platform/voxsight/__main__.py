from voxsight.cli import main

raise SystemExit(main())
