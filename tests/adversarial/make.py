#!/usr/bin/env python3
"""Writes the adversarial landing folder tests/adversarial/landing/.

Run once from the repository root: python3 tests/adversarial/make.py
The two office-suite workbooks are made by LibreOffice (Debian's package
libreoffice-calc-nogui) from CSV files, so that the corpus holds .xlsx as a
real office suite writes them; they are committed, and the tests need no
office suite. Everything else is written byte for byte here. The expected
outcome of every file is in expected.json beside this script, derived from
the data contract (../../shared/spec/data-contract.md), not from a run.
"""

import os
import random
import shutil
import subprocess
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
LANDING = os.path.join(HERE, "landing")

FIR_HEADER = "ps_code,fir_no,fir_date,occurrence_from,place_of_occurrence,complainant_name,complainant_mobile,io_code"
ARREST_HEADER = "ps_code,fir_no,accused_code,arrest_type,arrested_at,name,father_name,gender,age,address"


def put(rel, data):
    path = os.path.join(LANDING, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(path, "wb") as f:
        f.write(data)
    return path


def registry():
    rows = ["ps_code,ps_name,ps_name_hi,district_code,district_name,state_code"]
    for n in range(1, 13):
        rows.append(f"UP-ADV-{n:03},Thana {n},थाना {n},UP-ADV,Adversarial,UP")
    put("police_stations.csv", "\n".join(rows) + "\n")


def unicode_datetimes():
    """Datetimes holding non-ASCII characters: each a failed parse, never a panic."""
    put(
        "2024-04/UP-ADV-001/fir.csv",
        FIR_HEADER
        + "\n"
        + "UP-ADV-001,0001/2024,2024-04-10 09:05,2024-04-09,Sector 1,Asha Devi,9812345601,IO-1\n"
        + "UP-ADV-001,0002/2024,2024-04-1é,2024-04-09,Sector 2,Ravi Shankar,9812345602,IO-1\n"
        + "UP-ADV-001,0003/2024,2024-04-१०,2024-04-09,Sector 3,Meena Kumari,9812345603,IO-1\n"
        + "UP-ADV-001,0004/2024,2024-04-10,२०२४-04-09,Sector 4,Suresh Pal,9812345604,IO-1\n"
        + "UP-ADV-001,0005/2024,१०/04/2024 09:0é,,Sector 5,Kamla Bai,9812345605,IO-1\n",
    )


def excel_csvs():
    """CSV as Excel saves it: 'CSV (Comma delimited)' is Windows-1252 with CRLF;
    'CSV UTF-8' has a BOM and CRLF."""
    rows = [
        FIR_HEADER,
        "UP-ADV-002,0001/2024,10-04-2024 09:05,09-04-2024,Café Corner,José D’Souza,9812345611,IO-2",
        'UP-ADV-002,0002/2024,11/4/2024,,"Naïve Bazaar, Gate 2",Zoë Mathur,9812345612,IO-2',
    ]
    put("2024-04/UP-ADV-002/fir.csv", ("\r\n".join(rows) + "\r\n").encode("cp1252"))
    arrests = [
        ARREST_HEADER,
        "UP-ADV-002,0001/2024,A1,ARRESTED,12-04-2024 10:00,राहुल वर्मा,सुरेश वर्मा,M,34,ग्राम रामपुर",
    ]
    put("2024-04/UP-ADV-002/arrest.csv", b"\xef\xbb\xbf" + ("\r\n".join(arrests) + "\r\n").encode("utf-8"))


def office_workbooks(tmp):
    """.xlsx written by LibreOffice from CSV: fir_no as text, dates as date cells."""
    soffice = shutil.which("soffice")
    if soffice is None:
        raise SystemExit("soffice not found: apt-get install libreoffice-calc-nogui")
    source = os.path.join(tmp, "fir.csv")
    with open(source, "w", encoding="utf-8") as f:
        f.write(FIR_HEADER + "\n")
        f.write("UP-ADV-003,0001/2024,2024-04-10,2024-04-09,पुराना बाज़ार,प्रिया सिंह,9812345621,IO-3\n")
        f.write("UP-ADV-003,0002/2024,2024-04-11,2024-04-10,Sector 18,Anil Kumar,9812345622,IO-3\n")
    # CSV filter options: comma, double quote, UTF-8 (76), start at row 1,
    # column formats 1 text / 2 text / 3 date YMD / 4 date YMD / the rest text.
    convert(soffice, source, "CSV:44,34,76,1,1/2/2/2/3/5/4/5/5/2/6/2/7/2/8/2", tmp, "fir.xlsx")
    # Numbers, booleans and datetimes as LibreOffice types them by itself.
    source = os.path.join(tmp, "arrest.csv")
    with open(source, "w", encoding="utf-8") as f:
        f.write("ps_code,fir_no,accused_code,arrest_type,arrested_at,name,gender,age,photo_uploaded\n")
        f.write("UP-ADV-003,0001/2024,A1,ARRESTED,2024-04-12 10:30,राहुल वर्मा,M,34,TRUE\n")
        f.write("UP-ADV-003,0002/2024,A1,SURRENDERED,2024-04-13 16:05:09,Anil Kumar,M,41.0,FALSE\n")
    convert(soffice, source, "CSV:44,34,76,1,1/2/2/2/3/2/5/4/6/2", tmp, "arrest.xlsx")


def convert(soffice, source, options, tmp, name):
    """LibreOffice reads `source` with the CSV filter `options` and saves it as .xlsx."""
    subprocess.run(
        [soffice, "--headless", f"--infilter={options}", "--convert-to", "xlsx", "--outdir", tmp, source],
        check=True,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "HOME": tmp},
    )
    shutil.copy(os.path.join(tmp, name), os.path.join(LANDING, "2024-04/UP-ADV-003", name))


def long_json_line():
    """A JSON line of 10 MB (one place_of_occurrence) beside an ordinary one."""
    place = "स्थान " * (10 * 1024 * 1024 // 16 + 1)
    put(
        "2024-04/UP-ADV-004/fir.jsonl",
        '{"ps_code":"UP-ADV-004","fir_no":"0001/2024","fir_date":"2024-04-10","place_of_occurrence":"'
        + place
        + '"}\n{"ps_code":"UP-ADV-004","fir_no":"0002/2024","fir_date":"2024-04-11"}\n',
    )


def sheet_xml(rows, empty_rows):
    cells = []
    for r, row in enumerate(rows, start=1):
        cs = "".join(
            f'<c r="{chr(65 + c)}{r}" t="inlineStr"><is><t>{v}</t></is></c>' for c, v in enumerate(row)
        )
        cells.append(f'<row r="{r}">{cs}</row>')
    first_empty = len(rows) + 1
    cells.extend(f'<row r="{r}" customFormat="true" s="1"/>' for r in range(first_empty, first_empty + empty_rows))
    last = first_empty + empty_rows - 1
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="A1:C{last}"/><sheetData>' + "".join(cells) + "</sheetData></worksheet>"
    )


def workbook(path, sheet):
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="fir" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>',
        "xl/styles.xml": '<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="2"><xf/><xf applyFill="1"/></cellXfs></styleSheet>',
        "xl/worksheets/sheet1.xml": sheet,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)


def million_empty_rows():
    """Two records, then 1,000,000 formatted rows without cells (a sheet
    formatted down to the bottom): two records read."""
    rows = [("ps_code", "fir_no", "fir_date"), ("UP-ADV-005", "0001/2024", "2024-04-10"), ("UP-ADV-005", "0002/2024", "2024-04-11")]
    path = os.path.join(LANDING, "2024-04/UP-ADV-005/fir.xlsx")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    workbook(path, sheet_xml(rows, 1_000_000))
    # One stray value in the last cell of the sheet (XFD1048576): the sheet
    # spans 17 billion cells, of which four are written.
    rows = [("ps_code", "fir_no", "crime_head"), ("UP-ADV-005", "0001/2024", "THEFT")]
    stray = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>stray</t></is></c></row>'
    path = os.path.join(LANDING, "2024-04/UP-ADV-005/crime_details.xlsx")
    workbook(path, sheet_xml(rows, 0).replace("</sheetData>", stray + "</sheetData>"))


def links():
    """A file and a station folder that are symbolic links out of the landing folder."""
    os.makedirs(os.path.join(LANDING, "2024-04/UP-ADV-006"), exist_ok=True)
    os.symlink("/etc/passwd", os.path.join(LANDING, "2024-04/UP-ADV-006/fir.csv"))
    os.symlink("/etc", os.path.join(LANDING, "2024-04/UP-ADV-007"))


def path_tricks():
    put(
        "2024-04/UP-ADV-008/fir.csv",
        FIR_HEADER
        + "\nUP-ADV-008,0001/2024,2024-04-10,,,,,IO-8\n../../etc,0002/2024,2024-04-10,,,,,IO-8\n",
    )
    put("2024-13/UP-ADV-008/fir.csv", FIR_HEADER + "\nUP-ADV-008,0003/2024,2024-04-10,,,,,IO-8\n")


def not_what_they_say():
    rnd = random.Random(14)
    put("2024-04/UP-ADV-009/fir.csv", bytes(rnd.randrange(256) for _ in range(4096)))
    path = os.path.join(LANDING, "2024-04/UP-ADV-009/seizure.xlsx")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "not a workbook")
    put("2024-04/UP-ADV-009/victims.csv", "ps_code,fir_no\nUP-ADV-009,0001/2024\n")
    put("2024-04/UP-ADV-009/notes.txt", "not data\n")
    put("2024-04/UP-ADV-009/fir.xls", b"\xd0\xcf\x11\xe0 legacy workbook")


def found_by_fuzzing():
    """Inputs the fuzzers found (scripts/fuzz.sh), kept as they were found."""
    found = os.path.join(HERE, "found-by-fuzzing")
    shutil.copy(
        os.path.join(found, "xlsx-shared-string-past-the-end.xlsx"),
        os.path.join(LANDING, "2024-04/UP-ADV-009/arrest.xlsx"),
    )


def edges_of_csv():
    put("2024-04/UP-ADV-010/fir.csv", b"")
    put("2024-04/UP-ADV-010/arrest.csv", ARREST_HEADER + "\n")
    put("2024-04/UP-ADV-010/seizure.csv", "ps_code,fir_no,seizure_no\nUP-ADV-010,0001/2024,S1\nUP-ADV-010,0001/2024,S2")
    put(
        "2024-04/UP-ADV-010/final_report.csv",
        'ps_code,fir_no,report_no,court_code\nUP-ADV-010,0001/2024,R1,"C ""1 ""\n""2 ""\n""3 ""\n""4 ""\n""5 ""x""""""""""\n"""\n',
    )


def sizes():
    big = "x" * (1024 * 1024)
    put("2024-04/UP-ADV-011/fir.csv", FIR_HEADER + f'\nUP-ADV-011,0001/2024,2024-04-10,,"{big}",,,IO-11\n')
    header = ["ps_code", "fir_no", "crime_head"] + [f"extra_{n}" for n in range(1, 9998)]
    row = ["UP-ADV-011", "0001/2024", "THEFT"] + [str(n) for n in range(1, 9998)]
    put("2024-04/UP-ADV-011/crime_details.csv", ",".join(header) + "\n" + ",".join(row) + "\n")


def bad_bytes():
    put("2024-04/UP-ADV-012/fir.csv", (FIR_HEADER + "\nUP-ADV-012,0001/2024,2024-04-10,,Sec\x00tor,,,IO\n").encode())
    put("2024-04/UP-ADV-012/arrest.csv", ARREST_HEADER.encode() + b"\nUP-ADV-012,0001/2024,A1,ARRESTED,,R\xc3\x28m\x81,,M,30,\n")


def main():
    if os.path.exists(LANDING):
        shutil.rmtree(LANDING)
    registry()
    unicode_datetimes()
    excel_csvs()
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(LANDING, "2024-04/UP-ADV-003"), exist_ok=True)
        office_workbooks(tmp)
    long_json_line()
    million_empty_rows()
    links()
    path_tricks()
    not_what_they_say()
    found_by_fuzzing()
    edges_of_csv()
    sizes()
    bad_bytes()


if __name__ == "__main__":
    main()
