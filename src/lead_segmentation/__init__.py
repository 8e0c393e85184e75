"""Lead segmentation: the Python around the dbt project (loader, gated job, publish, CRM sync,
report, demo data). One module per job step; see README.md for the layout."""
