"""Korean (Sino-Korean numbers, native hours, 유월/시월), Japanese (kana readings, because espeak cannot read
kanji) and Chinese (our own number reader: num2words has no zh)."""
import re

import pytest

from app.speech.text.normalize import normalize
from app.speech.text.normalize.lang_zh import read_integer

KO = [
    ("사과가 1,200개 있어요.", "사과가 천이백개 있어요."),
    ("기온은 -5도이고 3.14입니다.", "기온은 마이너스 오도이고 삼 점 일사입니다."),
    ("50% 할인", "오십 퍼센트 할인"),
    ("제1장과 1,000,000명", "제일장과 백만명"),
    ("2024-03-15에 만나요.", "이천이십사년 삼월 십오일에 만나요."),
    ("2024년 6월 15일과 10월 3일.", "이천이십사년 유월 십오일과 시월 삼일."),
    ("오후 3시 30분, 15:30, 3시간.", "오후 세 시 삼십 분, 열다섯 시 삼십 분, 세 시간."),
    ("₩10,000 또는 10,000원", "만 원 또는 만 원"),
    ("$12.50입니다.", "십이 달러 오십 센트입니다."),
    ("5 km, 100 km/h, 25 °C.", "오 킬로미터, 시속 백 킬로미터, 섭씨 이십오 도."),
]

JA = [
    ("りんごが1,200こあります。", "りんごがせんにひゃくこあります。"),
    ("きおんは-5どで3.14です。", "きおんはマイナスごどでさんてんいちよんです。"),
    ("50%", "ごじゅうパーセント"),
    ("¥500か12,500円", "ごひゃくえんかいちまんにせんごひゃくえん"),
    ("１２，５００円", "いちまんにせんごひゃくえん"),                 # full-width digits and comma
    ("$12.50", "じゅうにドル ごじゅうセント"),
    ("2024-03-15にあいましょう。", "にせんにじゅうよねんさんがつじゅうごにちにあいましょう。"),
    ("2024年4月1日と7月20日。", "にせんにじゅうよねんしがつついたちとしちがつはつか。"),
    ("14日と24日", "じゅうよっかとにじゅうよっか"),
    ("15:30と4時と9時15分", "じゅうごじさんじゅっぷんとよじとくじじゅうごふん"),
    ("3時間と10分", "さんじかんとじゅっぷん"),
    ("5 km、100 km/h、25 °C。", "ごキロメートル、じそくひゃくキロメートル、せっしにじゅうごど。"),
]

ZH = [
    ("我有1,200个苹果。", "我有一千二百个苹果。"),
    ("气温是-5度，圆周率是3.14。", "气温是负五度，圆周率是三点一四。"),
    ("打50%的折扣", "打百分之五十的折扣"),
    ("第3名和10,050人和20000人。", "第三名和一万零五十人和两万人。"),
    ("我们2024-03-15见。", "我们二零二四年三月十五日见。"),
    ("2024年3月15日和10月1日。", "二零二四年三月十五日和十月一日。"),
    ("下午3:30和2点和15:05。", "下午三点三十分和两点和十五点零五分。"),
    ("价格是¥12.50或12,500元或$5。", "价格是十二元五角或一万两千五百元或五美元。"),
    ("¥12.05", "十二元零五分"),
    ("5 km，100 km/h，25 °C。", "五公里，每小时一百公里，二十五摄氏度。"),
]


@pytest.mark.parametrize("text,expected", KO)
def test_ko(text, expected):
    assert normalize(text, "ko-kr") == expected


@pytest.mark.parametrize("text,expected", JA)
def test_ja(text, expected):
    assert normalize(text, "ja-jp") == expected


def test_ja_numbers_come_out_in_kana_only():
    out = normalize("2024年3月15日15:30に12,500円、5 km、3.5%。", "ja-jp")
    assert not re.search(r"\d", out)
    assert not re.search(r"[\u4e00-\u9fff]", out)           # no kanji left (espeak cannot read them)


@pytest.mark.parametrize("text,expected", ZH)
def test_zh(text, expected):
    assert normalize(text, "zh-cn") == expected


@pytest.mark.parametrize("n,expected", [
    (0, "零"), (10, "十"), (12, "十二"), (110, "一百一十"), (1005, "一千零五"), (2000, "两千"), (10050, "一万零五十"),
    (100000, "十万"), (110000000, "一亿一千万"), (100010000, "一亿零一万"), (1234567890, "十二亿三千四百五十六万七千八百九十"),
])
def test_zh_reader(n, expected):
    assert read_integer(n) == expected


@pytest.mark.parametrize("locale,family,text,expected", [
    ("ko-kr", "times", "오후 3시 30분", "오후 3시 30분"),
    ("ko-kr", "currency", "10,000원", "10,000원"),
    ("ja-jp", "dates", "2024年4月1日", "2024年4月1日"),
    ("ja-jp", "numbers", "りんごが1,200こ", "りんごが1,200こ"),
    ("zh-cn", "units", "5 km", "五 km"),
    ("zh-cn", "numbers", "我有1,200个", "我有1,200个"),
])
def test_cjk_flags(locale, family, text, expected):
    assert normalize(text, locale, {f"expand_{family}": False}) == expected
