"""The calendar API's address and a State Council notice (国务院办公厅节假日安排通知)
for a year the package does not know yet, as an admin enters it."""

from __future__ import annotations

CAL = "/api/v1/calendar"


# 2027 by the law alone (《全国年节及纪念日放假办法》, 2024): 元旦 Fri 1 Jan; 春节 除夕 Fri 5 Feb
# to 初三 Mon 8 Feb; 清明 Mon 5 Apr; 劳动节 Sat 1 - Sun 2 May; 端午 Wed 9 Jun; 中秋 Wed 15 Sep;
# 国庆 Fri 1 - Sun 3 Oct (dates from the Hong Kong Observatory's calendar tables, by hand).
NOTICE_2027 = {
    "title": "国务院办公厅关于2027年部分节假日安排的通知",
    "holidays": [
        {"name": "元旦", "start": "2027-01-01", "end": "2027-01-03"},
        {"name": "春节", "start": "2027-02-05", "end": "2027-02-13"},
        {"name": "清明节", "start": "2027-04-03", "end": "2027-04-05"},
        {"name": "劳动节", "start": "2027-05-01", "end": "2027-05-05"},
        {"name": "端午节", "start": "2027-06-09", "end": "2027-06-11"},
        {"name": "中秋节", "start": "2027-09-15", "end": "2027-09-15"},
        {"name": "国庆节", "start": "2027-10-01", "end": "2027-10-07"},
    ],
    "makeup_days": ["2027-02-20", "2027-05-08", "2027-06-13", "2027-10-09"],
}
