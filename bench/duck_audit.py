"""DuckDB's side of the audit benchmark: the catalogue (duckdb_audit.sql) over
the Parquet files of the lake for one month; writes the violations as CSV.
Usage: duck_audit.py LAKE MONTH SQL OUT_CSV"""
import sys
from datetime import date
import duckdb

lake, month, sql_path, out = sys.argv[1:5]
y, m = map(int, month.split("-"))
nxt = date(y + (m == 12), m % 12 + 1, 1)
back = (y * 12 + m - 1) - 3
con = duckdb.connect()
for t in ["fir", "crime_details", "arrest", "seizure", "final_report", "court_disposal", "quarantine"]:
    con.execute(f"""CREATE VIEW {t} AS SELECT * FROM read_parquet('{lake}/{t}/month=*/*.parquet',
                    hive_partitioning = true, hive_types = {{'month': 'VARCHAR'}})""")
con.execute(f"CREATE VIEW registry AS SELECT * FROM read_parquet('{lake}/registry/*.parquet')")
params = {"{M}": month, "{START}": f"{month}-01 00:00:00", "{ASOF}": f"{nxt:%Y-%m-%d} 00:00:00",
          "{M3}": f"{back // 12:04d}-{back % 12 + 1:02d}"}
sql = open(sql_path).read()
for key, value in params.items():
    sql = sql.replace(key, value)
con.execute(f"COPY ({sql}) TO '{out}' (HEADER, DELIMITER ',')")
