"""The command centre: dashboard figures, charts, live feed and drill-down."""
