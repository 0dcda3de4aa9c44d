"""Run execution (DESIGN §4): launcher, planner, take scheduler, leases + reaper, pass/fail routing,
credit settlement and progress events. The take (node × line × locale × attempt) is the unit of work;
the database is the truth and RQ jobs carry only ids."""
