"""The station picker: county → town → station with type-ahead search (``search``), the
stations a team names when its own is missing and their confirmation by the county's
coordinator (``services``), the public search endpoint (``views``) and the back-office list
of proposed stations (``admin_views``)."""
