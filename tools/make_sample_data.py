#!/usr/bin/env python3
"""Writes sample-data/: a small, hand-checkable landing folder.

Deterministic (fixed seed). Clean records everywhere, plus one defect of every
rule of the catalogue at a known station and month (listed in DEFECTS, which
sample-data/README.md repeats), and a few quarantinable rows. Needs openpyxl
for the .xlsx files (python3 -m venv v && v/bin/pip install openpyxl).
Run from the repository root: python3 tools/make_sample_data.py
"""
import csv, io, json, os, random, shutil
from datetime import datetime, timedelta

import openpyxl

OUT = "sample-data"
MONTHS = ["2024-06", "2024-07", "2024-08"]
LAW_CHANGE = datetime(2024, 7, 1)
STATIONS = [
    ("UP-GBN-001", "Sector 20", "थाना सेक्टर 20", "UP-GBN", "Gautam Buddh Nagar"),
    ("UP-GBN-002", "Sector 39", "थाना सेक्टर 39", "UP-GBN", "Gautam Buddh Nagar"),
    ("UP-GBN-003", "Phase 2", "थाना फेज 2", "UP-GBN", "Gautam Buddh Nagar"),
    ("UP-GBN-004", "Dadri", "थाना दादरी", "UP-GBN", "Gautam Buddh Nagar"),
    ("UP-GBN-005", "Jewar", "थाना जेवर", "UP-GBN", "Gautam Buddh Nagar"),
    ("UP-LKO-001", "Hazratganj", "थाना हजरतगंज", "UP-LKO", "Lucknow"),
    ("UP-LKO-002", "Aminabad", "थाना अमीनाबाद", "UP-LKO", "Lucknow"),
    ("UP-LKO-003", "Gomti Nagar", "थाना गोमती नगर", "UP-LKO", "Lucknow"),
    ("UP-LKO-004", "Chinhat", "थाना चिनहट", "UP-LKO", "Lucknow"),
]
PLACES = ["सेक्टर 18 मार्केट", "Bus Stand", "मुख्य बाजार", "Railway Crossing", "Village Bhangel", "गोल्फ कोर्स रोड"]
NAMES = ["राहुल शर्मा", "Sunita Devi", "मोहम्मद आरिफ", "Priya Singh", "विजय गुप्ता", "Anil Yadav"]
IPC = ["IPC 379; IPC 411", "IPC 323; IPC 504; IPC 506", "IPC 420", "IPC 457; IPC 380"]
BNS = ["BNS 303(2); BNS 317(2)", "BNS 115(2); BNS 352", "BNS 318(4)", "BNS 305; BNS 331(4)"]

# (rule id, station, month, what was done) -- the sample-data README lists these.
DEFECTS = [
    ("FIR-IO-MISSING", "UP-GBN-001", "2024-07", "a FIR without io_code"),
    ("FIR-SECTIONS-MISSING", "UP-GBN-002", "2024-07", "a FIR without act_sections"),
    ("FIR-OCC-MISSING", "UP-GBN-003", "2024-07", "a FIR without occurrence_from"),
    ("FIR-PLACE-MISSING", "UP-LKO-001", "2024-07", "a FIR without place_of_occurrence"),
    ("FIR-GD-MISSING", "UP-LKO-002", "2024-07", "a FIR without gd_no"),
    ("FIR-NO-FORMAT", "UP-GBN-004", "2024-07", "FIR number written 105/24"),
    ("FIR-DUPLICATE", "UP-GBN-001", "2024-08", "a July FIR number uploaded again in August"),
    ("FIR-OCC-AFTER-REG", "UP-LKO-003", "2024-07", "occurrence a day after registration"),
    ("FIR-FUTURE", "UP-GBN-002", "2024-08", "a FIR dated 2024-09-02"),
    ("FIR-LAW-REGIME", "UP-LKO-001", "2024-08", "an August occurrence booked under IPC"),
    ("FIR-GEO", "UP-GBN-003", "2024-08", "latitude 40.1"),
    ("FIR-LATE-ENTRY", "UP-LKO-002", "2024-08", "FIR keyed in 30 hours after registration"),
    ("CD-MISSING", "UP-GBN-004", "2024-07", "a FIR of 2024-06-28 never gets crime details"),
    ("CD-ORPHAN", "UP-LKO-003", "2024-08", "crime details of FIR 9999/2024, which does not exist"),
    ("ARR-ORPHAN", "UP-GBN-001", "2024-06", "an arrest under FIR 9998/2024, which does not exist"),
    ("ARR-BEFORE-OCC", "UP-GBN-002", "2024-06", "arrest two days before the occurrence"),
    ("ARR-AGE", "UP-GBN-003", "2024-06", "accused aged 5"),
    ("ARR-JUVENILE", "UP-LKO-001", "2024-06", "accused aged 16 (warning)"),
    ("ARR-PHOTO", "UP-LKO-002", "2024-06", "photo_uploaded N"),
    ("ARR-MANDATORY", "UP-LKO-003", "2024-06", "gender X"),
    ("ARR-LATE-ENTRY", "UP-GBN-004", "2024-06", "arrest keyed in 40 hours after it happened"),
    ("SEZ-ORPHAN", "UP-GBN-005", "2024-07", "a seizure under FIR 9997/2024, which does not exist"),
    ("SEZ-VALUE", "UP-LKO-004", "2024-07", "value_inr -500"),
    ("SEZ-CATEGORY", "UP-GBN-005", "2024-08", "property_category GOLD"),
    ("FRP-ORPHAN", "UP-LKO-004", "2024-08", "a final report under FIR 9996/2024, which does not exist"),
    ("FRP-BEFORE-FIR", "UP-GBN-001", "2024-08", "a final report dated before its FIR"),
    ("FRP-TYPE", "UP-GBN-002", "2024-07", "report_type CHARGE SHEET"),
    ("FRP-NOT-ONLINE", "UP-LKO-001", "2024-07", "sent_online N"),
    ("FRP-OVERDUE", "UP-GBN-003", "2024-08", "a June IPC 376 FIR with no final report after 60 days"),
    ("CDP-ORPHAN", "UP-LKO-002", "2024-08", "a court disposal of a FIR without a charge sheet"),
    ("CDP-BEFORE-CS", "UP-GBN-004", "2024-08", "a disposal dated before its charge sheet"),
    ("CDP-RESULT", "UP-LKO-003", "2024-08", "result PENDING"),
    ("PS-NO-UPLOAD", "UP-LKO-004", "2024-06", "the station uploads nothing in June"),
    ("PS-VOLUME-DROP", "UP-GBN-005", "2024-08", "3 FIRs in August after 12 in June and July (warning)"),
    ("ING-QUARANTINE", "UP-GBN-001", "2024-07", "arrest with age abc (E-PARSE:age)"),
    ("ING-QUARANTINE", "UP-LKO-002", "2024-07", "a FIR line of another station (E-PS-MISMATCH)"),
    ("ING-QUARANTINE", "UP-GBN-003", "2024-08", "crime details with an extra field (E-ROW-WIDTH)"),
    ("ING-QUARANTINE", "UP-LKO-003", "2024-07", "an arrest line that is not JSON (E-BAD-RECORD)"),
    ("ING-QUARANTINE", "UP-GBN-002", "2024-06", "a seizure without seizure_no (E-KEY-MISSING:seizure_no)"),
]

FORMATS = {  # (station, month, table) -> (format, encoding)
    ("UP-GBN-001", "2024-06", "fir"): ("csv", "utf-8-bom-crlf"),
    ("UP-GBN-002", "2024-07", "fir"): ("csv", "utf-16le"),
    ("UP-LKO-003", "2024-08", "seizure"): ("csv", "utf-16be"),
    ("UP-GBN-004", "2024-06", "crime_details"): ("csv", "cp1252"),
    ("UP-GBN-003", "2024-07", "fir"): ("xlsx", None),
    ("UP-LKO-001", "2024-08", "arrest"): ("xlsx", None),
    ("UP-LKO-003", "2024-07", "arrest"): ("jsonl", None),
}
for m in MONTHS:
    FORMATS[("UP-LKO-002", m, "fir")] = ("jsonl", None)
    FORMATS[("UP-LKO-002", m, "arrest")] = ("jsonl", None)

COLUMNS = {
    "fir": ["ps_code", "fir_no", "fir_date", "occurrence_from", "occurrence_to", "gd_no", "act_sections",
            "place_of_occurrence", "latitude", "longitude", "complainant_name", "complainant_mobile",
            "io_code", "io_name", "entered_at"],
    "crime_details": ["ps_code", "fir_no", "crime_head", "modus_operandi", "property_stolen_inr", "victims_count", "entered_at"],
    "arrest": ["ps_code", "fir_no", "accused_code", "arrest_type", "arrested_at", "name", "father_name", "gender",
               "age", "address", "photo_uploaded", "entered_at"],
    "seizure": ["ps_code", "fir_no", "seizure_no", "seized_at", "property_category", "description", "value_inr", "entered_at"],
    "final_report": ["ps_code", "fir_no", "report_no", "report_date", "report_type", "court_code", "sent_online", "entered_at"],
    "court_disposal": ["ps_code", "fir_no", "court_case_no", "disposal_date", "result", "entered_at"],
}

rng = random.Random(20240601)


def fmt_date(d, style):
    return {
        0: d.strftime("%Y-%m-%d %H:%M"),
        1: d.strftime("%d/%m/%Y %H:%M:%S"),
        2: f"{d.day}-{d.month}-{d.year} {d:%H:%M}",
        3: d.strftime("%Y-%m-%dT%H:%M:%S"),
    }[style]


def defect(rule, ps, month):
    return any(d[0] == rule and d[1] == ps and d[2] == month for d in DEFECTS)


def month_start(m):
    return datetime.strptime(m + "-01", "%Y-%m-%d")


def build():
    data = {}  # (ps, month, table) -> list of dict rows
    seq = {s[0]: 100 for s in STATIONS}
    firs = {}  # ps -> list of (fir_no, fir_date, occurrence, month, sexual)
    for m in MONTHS:
        for ps, *_ in STATIONS:
            if ps == "UP-LKO-004" and m == "2024-06":
                continue
            rows = {t: [] for t in COLUMNS}
            n = 3 if (ps == "UP-GBN-005" and m == "2024-08") else (12 if ps == "UP-GBN-005" else rng.randint(8, 11))
            start = month_start(m)
            for i in range(n):
                seq[ps] += 1
                fir_no = f"{seq[ps]:04d}/2024"
                day = 1 + (i * 27) // max(n, 1)
                fir_date = start + timedelta(days=day, hours=rng.randint(6, 20), minutes=rng.randint(0, 59))
                occ = fir_date - timedelta(hours=rng.randint(2, 40))
                law = BNS if occ >= LAW_CHANGE else IPC
                sexual = False
                acts = rng.choice(law)
                if ps == "UP-GBN-003" and m == "2024-06" and i == 1:
                    acts, sexual = "IPC 376(2); IPC 506", True
                    fir_date = datetime(2024, 6, 10, 11, 0)
                    occ = datetime(2024, 6, 9, 22, 0)
                if ps == "UP-GBN-004" and m == "2024-06" and i == n - 1:
                    fir_date = datetime(2024, 6, 28, 10, 0)
                    occ = datetime(2024, 6, 27, 21, 30)
                row = {
                    "ps_code": ps, "fir_no": fir_no, "fir_date": fmt_date(fir_date, i % 4),
                    "occurrence_from": fmt_date(occ, (i + 1) % 4), "occurrence_to": "",
                    "gd_no": f"{rng.randint(1, 90):03d}", "act_sections": acts,
                    "place_of_occurrence": rng.choice(PLACES),
                    "latitude": f"{(28.4 if 'GBN' in ps else 26.8) + rng.random() / 10:.4f}",
                    "longitude": f"{(77.4 if 'GBN' in ps else 80.9) + rng.random() / 10:.4f}",
                    "complainant_name": rng.choice(NAMES), "complainant_mobile": f"9{rng.randint(100000000, 999999999)}",
                    "io_code": f"{ps}-IO-{rng.randint(1, 9)}", "io_name": "SI " + rng.choice(["Ajay Saini", "दीपक शर्मा", "Iqbal Khan"]),
                    "entered_at": fmt_date(fir_date + timedelta(hours=rng.randint(1, 20)), 0),
                }
                inject_fir_defects(row, ps, m, i, fir_date, occ)
                rows["fir"].append(row)
                firs.setdefault(ps, []).append((fir_no, fir_date, occ, m, sexual))
                if not (ps == "UP-GBN-004" and m == "2024-06" and i == n - 1):
                    rows["crime_details"].append({
                        "ps_code": ps, "fir_no": fir_no, "crime_head": "Theft" if "379" in acts or "303" in acts else "Other IPC/BNS",
                        "modus_operandi": "ताला तोड़कर" if i % 2 else "Pickpocketing", "property_stolen_inr": f"{rng.randint(1, 90) * 1000}",
                        "victims_count": str(rng.randint(1, 3)), "entered_at": fmt_date(fir_date + timedelta(days=2), 3),
                    })
                if i % 2 == 0:
                    arrested = occ + timedelta(days=1, hours=3)
                    rows["arrest"].append({
                        "ps_code": ps, "fir_no": fir_no, "accused_code": "A1", "arrest_type": "ARRESTED",
                        "arrested_at": fmt_date(arrested, 1), "name": rng.choice(NAMES), "father_name": rng.choice(NAMES),
                        "gender": "M", "age": str(rng.randint(19, 60)), "address": "ग्राम " + rng.choice(PLACES),
                        "photo_uploaded": rng.choice(["Y", "Yes", "true", "1"]),
                        "entered_at": fmt_date(arrested + timedelta(hours=5), 0),
                    })
                if i % 3 == 0:
                    rows["seizure"].append({
                        "ps_code": ps, "fir_no": fir_no, "seizure_no": "S1", "seized_at": fmt_date(occ + timedelta(days=2), 0),
                        "property_category": rng.choice(["VEHICLE", "CASH", "MOBILE", "JEWELLERY"]),
                        "description": "Recovered property", "value_inr": rng.choice(["12500", "1,25,000.00", "45,000", "8,500.50"]),
                        "entered_at": fmt_date(occ + timedelta(days=2, hours=4), 0),
                    })
            data.update({(ps, m, t): r for t, r in rows.items()})
    add_reports(data, firs)
    inject_child_defects(data)
    return data


def inject_fir_defects(row, ps, m, i, fir_date, occ):
    if i != 2:
        return
    if defect("FIR-IO-MISSING", ps, m): row["io_code"] = ""
    if defect("FIR-SECTIONS-MISSING", ps, m): row["act_sections"] = " "
    if defect("FIR-OCC-MISSING", ps, m): row["occurrence_from"] = ""
    if defect("FIR-PLACE-MISSING", ps, m): row["place_of_occurrence"] = ""
    if defect("FIR-GD-MISSING", ps, m): row["gd_no"] = ""
    if defect("FIR-NO-FORMAT", ps, m): row["fir_no"] = "105/24"
    if defect("FIR-OCC-AFTER-REG", ps, m): row["occurrence_from"] = fmt_date(fir_date + timedelta(days=1), 0)
    if defect("FIR-FUTURE", ps, m):
        row["fir_date"] = "2024-09-02 10:00"
        row["entered_at"] = "2024-09-02 12:00"
    if defect("FIR-LAW-REGIME", ps, m): row["act_sections"] = "IPC 379; IPC 411"
    if defect("FIR-GEO", ps, m): row["latitude"] = "40.1"
    if defect("FIR-LATE-ENTRY", ps, m): row["entered_at"] = fmt_date(fir_date + timedelta(hours=30), 0)


def add_reports(data, firs):
    """Charge sheets / closures in the month after each June FIR; disposals in August."""
    for ps, items in firs.items():
        for k, (fir_no, fir_date, occ, m, sexual) in enumerate(items):
            if m != "2024-06" or (ps == "UP-GBN-003" and sexual):
                continue
            report_date = max(fir_date + timedelta(days=20), datetime(2024, 7, 3, 12, 0))
            cs = k % 2 == 0
            data[(ps, "2024-07", "final_report")].append({
                "ps_code": ps, "fir_no": fir_no, "report_no": "CS-01" if cs else "FR-01", "report_date": fmt_date(report_date, 0),
                "report_type": "CHARGESHEET" if cs else "FR_UNTRACED", "court_code": "CJM-" + ps[3:6], "sent_online": "Y",
                "entered_at": fmt_date(report_date + timedelta(hours=3), 0),
            })
            if cs and k % 4 == 0:
                disposal = report_date + timedelta(days=35)
                data[(ps, "2024-08", "court_disposal")].append({
                    "ps_code": ps, "fir_no": fir_no, "court_case_no": f"ST-{1000 + k}/2024", "disposal_date": fmt_date(disposal, 0),
                    "result": rng.choice(["CONVICTED", "ACQUITTED", "COMPOUNDED"]), "entered_at": fmt_date(disposal + timedelta(hours=6), 0),
                })
    # final reports of July FIRs for a few stations in August
    for ps, items in firs.items():
        for k, (fir_no, fir_date, occ, m, _) in enumerate(items):
            if m == "2024-07" and k % 5 == 0 and (ps, "2024-08", "final_report") in data:
                report_date = fir_date + timedelta(days=30)
                data[(ps, "2024-08", "final_report")].append({
                    "ps_code": ps, "fir_no": fir_no, "report_no": "FR-01", "report_date": fmt_date(report_date, 0),
                    "report_type": "FR_FALSE", "court_code": "CJM-" + ps[3:6], "sent_online": "Yes",
                    "entered_at": fmt_date(report_date + timedelta(hours=3), 0),
                })


def first(data, ps, m, table):
    return data[(ps, m, table)][0]


def inject_child_defects(data):
    orphan = lambda ps, fir: dict(ps_code=ps, fir_no=fir)
    # FIR-DUPLICATE: repeat the first July FIR of UP-GBN-001 in August
    dup = dict(first(data, "UP-GBN-001", "2024-07", "fir"))
    data[("UP-GBN-001", "2024-08", "fir")].append(dup)
    data[("UP-LKO-003", "2024-08", "crime_details")].append({**orphan("UP-LKO-003", "9999/2024"), "crime_head": "Theft", "modus_operandi": "", "property_stolen_inr": "1000", "victims_count": "1", "entered_at": "2024-08-05 10:00"})
    data[("UP-GBN-001", "2024-06", "arrest")].append({**orphan("UP-GBN-001", "9998/2024"), "accused_code": "A1", "arrest_type": "ARRESTED", "arrested_at": "2024-06-12 10:00", "name": "राम सिंह", "father_name": "श्याम सिंह", "gender": "M", "age": "33", "address": "Sector 22", "photo_uploaded": "Y", "entered_at": "2024-06-12 14:00"})
    a = data[("UP-GBN-002", "2024-06", "arrest")][0]
    fir = next(f for f in data[("UP-GBN-002", "2024-06", "fir")] if f["fir_no"] == a["fir_no"])
    a["arrested_at"] = "2024-05-20 10:00"
    a["entered_at"] = "2024-05-20 12:00"
    data[("UP-GBN-003", "2024-06", "arrest")][0]["age"] = "5"
    data[("UP-LKO-001", "2024-06", "arrest")][0]["age"] = "16"
    data[("UP-LKO-002", "2024-06", "arrest")][0]["photo_uploaded"] = "N"
    data[("UP-LKO-003", "2024-06", "arrest")][0]["gender"] = "X"
    late = data[("UP-GBN-004", "2024-06", "arrest")][0]
    late["entered_at"] = fmt_date(datetime.strptime(late["arrested_at"], "%d/%m/%Y %H:%M:%S") + timedelta(hours=40), 0)
    data[("UP-GBN-005", "2024-07", "seizure")].append({**orphan("UP-GBN-005", "9997/2024"), "seizure_no": "S1", "seized_at": "2024-07-08 10:00", "property_category": "CASH", "description": "Cash", "value_inr": "5000", "entered_at": "2024-07-08 12:00"})
    data[("UP-LKO-004", "2024-07", "seizure")][0]["value_inr"] = "-500"
    data[("UP-GBN-005", "2024-08", "seizure")][0]["property_category"] = "GOLD"
    data[("UP-LKO-004", "2024-08", "final_report")].append({**orphan("UP-LKO-004", "9996/2024"), "report_no": "CS-01", "report_date": "2024-08-10 10:00", "report_type": "CHARGESHEET", "court_code": "CJM-LKO", "sent_online": "Y", "entered_at": "2024-08-10 12:00"})
    frp = data[("UP-GBN-001", "2024-08", "final_report")][0]
    frp["report_date"] = "2024-07-01 09:00"
    data[("UP-GBN-002", "2024-07", "final_report")][0]["report_type"] = "CHARGE SHEET"
    data[("UP-LKO-001", "2024-07", "final_report")][0]["sent_online"] = "N"
    no_cs = next(r for r in data[("UP-LKO-002", "2024-07", "final_report")] if r["report_type"] != "CHARGESHEET")
    data[("UP-LKO-002", "2024-08", "court_disposal")].append({"ps_code": "UP-LKO-002", "fir_no": no_cs["fir_no"], "court_case_no": "ST-2001/2024", "disposal_date": "2024-08-20 11:00", "result": "DISCHARGED", "entered_at": "2024-08-20 15:00"})
    cdp = data[("UP-GBN-004", "2024-08", "court_disposal")][0]
    cdp["disposal_date"] = "2024-06-30 10:00"
    data[("UP-LKO-003", "2024-08", "court_disposal")][0]["result"] = "PENDING"
    # quarantinable rows
    data[("UP-GBN-001", "2024-07", "arrest")][1]["age"] = "abc"
    data[("UP-LKO-002", "2024-07", "fir")][3]["ps_code"] = "UP-LKO-003"
    data[("UP-GBN-003", "2024-08", "crime_details")][4]["__extra__"] = "stray field"
    data[("UP-GBN-002", "2024-06", "seizure")][0]["seizure_no"] = ""


def csv_text(table, rows, header_variant):
    cols = COLUMNS[table]
    header = [c.upper() if header_variant and i % 3 == 0 else c for i, c in enumerate(cols)]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        values = [r.get(c, "") for c in cols]
        if "__extra__" in r:
            values.append(r["__extra__"])
        w.writerow(values)
    return buf.getvalue()


def write_file(ps, m, table, rows):
    fmt, enc = FORMATS.get((ps, m, table), ("csv", "utf-8"))
    folder = os.path.join(OUT, m, ps)
    os.makedirs(folder, exist_ok=True)
    name = "FIR.CSV" if (ps, m, table) == ("UP-LKO-004", "2024-08", "fir") else f"{table}.{fmt}"
    path = os.path.join(folder, name)
    if fmt == "jsonl":
        lines = [json.dumps({c: r.get(c, "") for c in COLUMNS[table]}, ensure_ascii=False) for r in rows]
        if (ps, m, table) == ("UP-LKO-003", "2024-07", "arrest"):
            lines.insert(1, '{"ps_code": "UP-LKO-003", "fir_no": ')
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        return
    if fmt == "xlsx":
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(COLUMNS[table])
        for r in rows:
            ws.append([cell_value(c, r.get(c, "")) for c in COLUMNS[table]])
        wb.save(path)
        return
    text = csv_text(table, rows, header_variant=(ps.endswith("2") and table == "seizure"))
    if enc == "utf-16le":
        data = b"\xff\xfe" + text.replace("\n", "\r\n").encode("utf-16-le")
    elif enc == "utf-16be":
        data = b"\xfe\xff" + text.encode("utf-16-be")
    elif enc == "cp1252":
        data = text.replace("ताला तोड़कर", "Café break-in").encode("cp1252")
    elif enc == "utf-8-bom-crlf":
        data = b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8")
    else:
        data = text.encode("utf-8")
    with open(path, "wb") as f:
        f.write(data)


def cell_value(column, value):
    """Dates as Excel dates, numbers as numbers, the rest as text."""
    if value and column in ("fir_date", "occurrence_from", "entered_at", "arrested_at"):
        for style in ("%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M:%S", "%Y-%m-%dT%H:%M:%S"):
            try:
                return datetime.strptime(value, style)
            except ValueError:
                pass
    if value and column in ("latitude", "longitude", "age"):
        return float(value) if "." in value else int(value)
    return value


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    with open(os.path.join(OUT, "police_stations.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["ps_code", "ps_name", "ps_name_hi", "district_code", "district_name", "state_code"])
        for s in STATIONS:
            w.writerow([*s, "UP"])
    data = build()
    for (ps, m, table), rows in sorted(data.items()):
        if rows:
            write_file(ps, m, table, rows)
    with open(os.path.join("tools", "sample_defects.json"), "w") as f:
        json.dump([dict(rule_id=d[0], ps_code=d[1], month=d[2], what=d[3]) for d in DEFECTS], f, indent=1, ensure_ascii=False)


if __name__ == "__main__":
    main()
