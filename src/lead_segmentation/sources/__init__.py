"""Connector-shaped sources (issue 14): the HubSpot connector's tables (Fivetran schema) as an
alternative to the six-file raw contract. The dbt side maps them (models/staging/hubspot/);
here: the table list the loader and the raw gate read, the loader, the raw gate, and the demo
converter that writes the synthetic population in HubSpot connector shape."""
