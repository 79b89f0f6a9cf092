"""ivr_flows package."""
