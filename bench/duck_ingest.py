"""DuckDB's side of the ingest benchmark: typed read_csv of every station file
of each table, written to one Parquet file per table.
Usage: duck_ingest.py LANDING OUT_DIR"""
import sys
import duckdb

TS, DEC = "TIMESTAMP", "DECIMAL(38,8)"
TYPES = {
    "fir": dict(ps_code="VARCHAR", fir_no="VARCHAR", fir_date=TS, occurrence_from=TS, occurrence_to=TS, gd_no="VARCHAR",
                act_sections="VARCHAR", place_of_occurrence="VARCHAR", latitude=DEC, longitude=DEC, complainant_name="VARCHAR",
                complainant_mobile="VARCHAR", io_code="VARCHAR", io_name="VARCHAR", entered_at=TS),
    "crime_details": dict(ps_code="VARCHAR", fir_no="VARCHAR", crime_head="VARCHAR", modus_operandi="VARCHAR",
                          property_stolen_inr=DEC, victims_count="BIGINT", entered_at=TS),
    "arrest": dict(ps_code="VARCHAR", fir_no="VARCHAR", accused_code="VARCHAR", arrest_type="VARCHAR", arrested_at=TS,
                   name="VARCHAR", father_name="VARCHAR", gender="VARCHAR", age="BIGINT", address="VARCHAR",
                   photo_uploaded="BOOLEAN", entered_at=TS),
    "seizure": dict(ps_code="VARCHAR", fir_no="VARCHAR", seizure_no="VARCHAR", seized_at=TS, property_category="VARCHAR",
                    description="VARCHAR", value_inr=DEC, entered_at=TS),
    "final_report": dict(ps_code="VARCHAR", fir_no="VARCHAR", report_no="VARCHAR", report_date=TS, report_type="VARCHAR",
                         court_code="VARCHAR", sent_online="BOOLEAN", entered_at=TS),
    "court_disposal": dict(ps_code="VARCHAR", fir_no="VARCHAR", court_case_no="VARCHAR", disposal_date=TS, result="VARCHAR",
                           entered_at=TS),
}

landing, out = sys.argv[1], sys.argv[2]
con = duckdb.connect()
for table, columns in TYPES.items():
    cols = "{" + ", ".join(f"'{c}': '{t}'" for c, t in columns.items()) + "}"
    con.execute(f"""COPY (SELECT * FROM read_csv('{landing}/*/*/{table}.csv', header = true, columns = {cols},
                    filename = true, null_padding = true, ignore_errors = true))
                    TO '{out}/{table}.parquet' (FORMAT parquet)""")
