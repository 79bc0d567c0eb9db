-- The default CCTNS catalogue as hand-written DuckDB SQL, for the audit benchmark.
-- Parameters (replaced by bench.py): {M} the month 'YYYY-MM', {START} and {ASOF}
-- its first instant and the first instant of the next month. Views fir,
-- crime_details, arrest, seizure, final_report, court_disposal, quarantine and
-- registry are defined by bench.py over the Parquet files of the lake.
-- Fused where natural: one pass per table for its row rules (a list of the rule
-- ids that fail, unnested), one aggregate of the FIRs up to M shared by all.
WITH
fk AS (  -- one record per FIR up to M: earliest dates, sexual offence if any row is
  SELECT ps_code, fir_no, count(*) AS n, min(fir_date) AS fir_date, min(occurrence_from) AS occ,
         bool_or(regexp_matches(act_sections, '(^|;)\s*(POCSO(\s|;|$)|IPC\s+0*376(\D|$)|BNS\s+0*(6[3-9]|70)(\D|$))', 'i')) AS sexual
  FROM fir WHERE month <= '{M}' GROUP BY ps_code, fir_no),
cs AS (
  SELECT ps_code, fir_no, min(report_date) AS first_cs FROM final_report
  WHERE month <= '{M}' AND report_type = 'CHARGESHEET' GROUP BY ps_code, fir_no),
cd_keys AS (SELECT DISTINCT ps_code, fir_no FROM crime_details WHERE month <= '{M}'),
fr_keys AS (SELECT DISTINCT ps_code, fir_no FROM final_report WHERE month <= '{M}'),
fir_v AS (
  SELECT f.ps_code, 'fir' AS tbl, f.fir_no AS record_key, [
    CASE WHEN io_code IS NULL THEN 'FIR-IO-MISSING' END,
    CASE WHEN act_sections IS NULL THEN 'FIR-SECTIONS-MISSING' END,
    CASE WHEN occurrence_from IS NULL THEN 'FIR-OCC-MISSING' END,
    CASE WHEN place_of_occurrence IS NULL THEN 'FIR-PLACE-MISSING' END,
    CASE WHEN gd_no IS NULL THEN 'FIR-GD-MISSING' END,
    CASE WHEN NOT regexp_full_match(f.fir_no, '[0-9]{1,5}/[0-9]{4}') OR split_part(f.fir_no, '/', 2) <> strftime(f.fir_date, '%Y') THEN 'FIR-NO-FORMAT' END,
    CASE WHEN k.n > 1 THEN 'FIR-DUPLICATE' END,
    CASE WHEN occurrence_from > f.fir_date THEN 'FIR-OCC-AFTER-REG' END,
    CASE WHEN f.fir_date >= TIMESTAMP '{ASOF}' THEN 'FIR-FUTURE' END,
    CASE WHEN (occurrence_from >= TIMESTAMP '2024-07-01' AND regexp_matches(act_sections, '(^|;)\s*IPC(\s|;|$)', 'i'))
           OR (occurrence_from < TIMESTAMP '2024-07-01' AND regexp_matches(act_sections, '(^|;)\s*BNS(\s|;|$)', 'i')) THEN 'FIR-LAW-REGIME' END,
    CASE WHEN latitude IS NOT NULL AND longitude IS NOT NULL
          AND (latitude < 6.0 OR latitude > 37.6 OR longitude < 68.0 OR longitude > 97.5) THEN 'FIR-GEO' END,
    CASE WHEN entered_at IS NULL OR entered_at > f.fir_date + INTERVAL 24 HOUR THEN 'FIR-LATE-ENTRY' END
  ] AS rules
  FROM fir f JOIN fk k USING (ps_code, fir_no) WHERE f.month = '{M}'),
due_v AS (
  SELECT k.ps_code, 'fir' AS tbl, k.fir_no AS record_key, [
    CASE WHEN k.fir_date + INTERVAL 7 DAY >= TIMESTAMP '{START}' AND k.fir_date + INTERVAL 7 DAY < TIMESTAMP '{ASOF}'
          AND c.fir_no IS NULL THEN 'CD-MISSING' END,
    CASE WHEN k.fir_date + CASE WHEN k.sexual THEN INTERVAL 60 DAY ELSE INTERVAL 90 DAY END >= TIMESTAMP '{START}'
          AND k.fir_date + CASE WHEN k.sexual THEN INTERVAL 60 DAY ELSE INTERVAL 90 DAY END < TIMESTAMP '{ASOF}'
          AND r.fir_no IS NULL THEN 'FRP-OVERDUE' END
  ] AS rules
  FROM fk k LEFT JOIN cd_keys c USING (ps_code, fir_no) LEFT JOIN fr_keys r USING (ps_code, fir_no)),
cd_v AS (
  SELECT d.ps_code, 'crime_details' AS tbl, d.fir_no AS record_key, [CASE WHEN k.fir_no IS NULL THEN 'CD-ORPHAN' END] AS rules
  FROM crime_details d LEFT JOIN fk k USING (ps_code, fir_no) WHERE d.month = '{M}'),
arr_v AS (
  SELECT a.ps_code, 'arrest' AS tbl, a.fir_no || '#' || a.accused_code AS record_key, [
    CASE WHEN k.fir_no IS NULL THEN 'ARR-ORPHAN' END,
    CASE WHEN k.fir_no IS NOT NULL AND arrested_at < k.occ THEN 'ARR-BEFORE-OCC' END,
    CASE WHEN age IS NULL OR age < 7 OR age > 100 THEN 'ARR-AGE' END,
    CASE WHEN age >= 7 AND age < 18 THEN 'ARR-JUVENILE' END,
    CASE WHEN photo_uploaded IS NOT TRUE THEN 'ARR-PHOTO' END,
    CASE WHEN name IS NULL OR gender IS NULL OR address IS NULL OR gender NOT IN ('M', 'F', 'T') THEN 'ARR-MANDATORY' END,
    CASE WHEN entered_at IS NULL OR (arrested_at IS NOT NULL AND entered_at > arrested_at + INTERVAL 24 HOUR) THEN 'ARR-LATE-ENTRY' END
  ] AS rules
  FROM arrest a LEFT JOIN fk k USING (ps_code, fir_no) WHERE a.month = '{M}'),
sez_v AS (
  SELECT s.ps_code, 'seizure' AS tbl, s.fir_no || '#' || s.seizure_no AS record_key, [
    CASE WHEN k.fir_no IS NULL THEN 'SEZ-ORPHAN' END,
    CASE WHEN value_inr IS NULL OR value_inr < 0 THEN 'SEZ-VALUE' END,
    CASE WHEN property_category IS NULL OR property_category NOT IN ('VEHICLE', 'CASH', 'JEWELLERY', 'MOBILE', 'NARCOTICS', 'ARMS', 'LIQUOR', 'DOCUMENTS', 'OTHER') THEN 'SEZ-CATEGORY' END
  ] AS rules
  FROM seizure s LEFT JOIN fk k USING (ps_code, fir_no) WHERE s.month = '{M}'),
frp_v AS (
  SELECT r.ps_code, 'final_report' AS tbl, r.fir_no || '#' || r.report_no AS record_key, [
    CASE WHEN k.fir_no IS NULL THEN 'FRP-ORPHAN' END,
    CASE WHEN k.fir_no IS NOT NULL AND report_date < k.fir_date THEN 'FRP-BEFORE-FIR' END,
    CASE WHEN report_type IS NULL OR report_type NOT IN ('CHARGESHEET', 'FR_UNTRACED', 'FR_FALSE', 'FR_MISTAKE_OF_FACT', 'FR_MISTAKE_OF_LAW', 'FR_NON_COGNIZABLE', 'FR_CIVIL_NATURE', 'ABATED', 'TRANSFERRED') THEN 'FRP-TYPE' END,
    CASE WHEN sent_online IS NOT TRUE THEN 'FRP-NOT-ONLINE' END
  ] AS rules
  FROM final_report r LEFT JOIN fk k USING (ps_code, fir_no) WHERE r.month = '{M}'),
cdp_v AS (
  SELECT d.ps_code, 'court_disposal' AS tbl, d.fir_no || '#' || d.court_case_no AS record_key, [
    CASE WHEN c.fir_no IS NULL THEN 'CDP-ORPHAN' END,
    CASE WHEN c.fir_no IS NOT NULL AND disposal_date < c.first_cs THEN 'CDP-BEFORE-CS' END,
    CASE WHEN result IS NULL OR result NOT IN ('CONVICTED', 'ACQUITTED', 'DISCHARGED', 'COMPOUNDED', 'WITHDRAWN', 'ABATED') THEN 'CDP-RESULT' END
  ] AS rules
  FROM court_disposal d LEFT JOIN cs c USING (ps_code, fir_no) WHERE d.month = '{M}'),
uploads AS (
  SELECT ps_code FROM fir WHERE month = '{M}' UNION SELECT ps_code FROM crime_details WHERE month = '{M}'
  UNION SELECT ps_code FROM arrest WHERE month = '{M}' UNION SELECT ps_code FROM seizure WHERE month = '{M}'
  UNION SELECT ps_code FROM final_report WHERE month = '{M}' UNION SELECT ps_code FROM court_disposal WHERE month = '{M}'
  UNION SELECT ps_code FROM quarantine WHERE month = '{M}'),
volumes AS (
  SELECT ps_code, count(DISTINCT fir_no) FILTER (WHERE month = '{M}') AS now,
         count(DISTINCT month || '|' || fir_no) FILTER (WHERE month >= '{M3}' AND month < '{M}') AS before
  FROM fir WHERE month >= '{M3}' AND month <= '{M}' GROUP BY ps_code),
station_v AS (
  SELECT g.ps_code, 'station' AS tbl, g.ps_code AS record_key, [
    CASE WHEN u.ps_code IS NULL THEN 'PS-NO-UPLOAD' END,
    CASE WHEN coalesce(v.before, 0) > 0 AND coalesce(v.now, 0) * 6 < v.before THEN 'PS-VOLUME-DROP' END
  ] AS rules
  FROM registry g LEFT JOIN uploads u USING (ps_code) LEFT JOIN volumes v USING (ps_code)),
ing_v AS (
  SELECT ps_code, table_name AS tbl, 'row:' || record_no AS record_key, ['ING-QUARANTINE'] AS rules
  FROM quarantine WHERE month = '{M}'),
everything AS (
  SELECT * FROM fir_v UNION ALL SELECT * FROM due_v UNION ALL SELECT * FROM cd_v UNION ALL SELECT * FROM arr_v
  UNION ALL SELECT * FROM sez_v UNION ALL SELECT * FROM frp_v UNION ALL SELECT * FROM cdp_v
  UNION ALL SELECT * FROM station_v UNION ALL SELECT * FROM ing_v)
SELECT DISTINCT ps_code, tbl AS "table", rule_id, record_key
FROM (SELECT ps_code, tbl, record_key, unnest(list_filter(rules, lambda r: r IS NOT NULL)) AS rule_id FROM everything)
