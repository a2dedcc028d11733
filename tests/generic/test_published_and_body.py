"""The date ranking (parsing/published.py) and the body agreement (parsing/body.py) on small pages."""

from datetime import datetime, timezone

from newscrawler.parsing.body import best_body, fill_holes
from newscrawler.parsing.generic import GenericParser

NOW = datetime(2024, 5, 10, 12, 0, tzinfo=timezone.utc)
BODY = "".join(f"<p>{'جملة طويلة من نص الخبر رقم %d تكفي لتكون فقرة كاملة في المقال المنشور اليوم.' % i}</p>"
               for i in range(4))


def _page(head="", top="", under="", url="https://n.example/a/1"):
    html = (f"<html><head><meta property='og:type' content='article'>{head}</head><body>"
            f"<div class='bar'>{top}</div><div><a href='/'>الرئيسية</a></div>"
            f"<h1>عنوان الخبر التجريبي</h1><div class='x'>{under}</div>{BODY}</body></html>")
    return GenericParser().parse(url, html.encode(), now=NOW)


def test_original_before_modified():
    page = _page("<meta property='article:modified_time' content='2024-05-09T10:00:00+03:00'>"
                 "<meta itemprop='dateCreated' content='2024-05-01T08:00:00+03:00'>")
    assert page.published_at == "2024-05-01T08:00:00+03:00"


def test_only_a_modified_date_is_still_a_date():
    assert _page("<meta property='og:updated_time' content='2024-05-09T10:00:00Z'>").published_at \
        == "2024-05-09T10:00:00+00:00"


def test_no_date_in_the_future_and_none_before_1900():
    page = _page("<meta name='pubdate' content='2031-01-01T00:00:00Z'>"
                 "<meta name='dc.date' content='1445-03-12'>", under="الخميس 9 مايو 2024")
    assert page.published_at == "2024-05-09T00:00:00"


def test_the_articles_line_before_the_header_today_line():
    page = _page(top="الجمعة 10 مايو 2024", under="نشر في الثلاثاء 7 مايو 2024 - 10:15")
    assert page.published_at == "2024-05-07T10:15:00" and "after the headline" in page.date_from


def test_a_relative_line_is_read_against_now_and_an_absolute_one_wins():
    assert _page(under="منذ ساعتين").published_at == "2024-05-10T10:00:00"
    assert _page(under="منذ ساعتين", top="", head="<meta name='date' content='2024-05-10 09:30'>") \
        .published_at == "2024-05-10T09:30:00"


def test_the_url_date_is_a_witness():
    # the meta date disagrees with the URL's day, the page's <time> agrees with it: the <time> wins
    page = _page(head="<meta name='date' content='2024-05-08T09:00:00Z'>",
                 under="<time datetime='2024-05-03T07:00:00Z'>٣ مايو</time>", url="https://n.example/2024/05/03/story")
    assert page.published_at == "2024-05-03T07:00:00+00:00"
    assert _page(head="<meta name='date' content='2024-05-08T09:00:00Z'>").published_at[:10] == "2024-05-08"


def test_fill_holes_puts_back_a_lost_paragraph_and_nothing_at_the_edges():
    t = ["الفقرة الأولى من الخبر وهي طويلة بما يكفي لتكون فقرة كاملة في المقال المنشور اليوم هنا.",
         "الفقرة الثالثة من الخبر وهي طويلة بما يكفي لتكون فقرة كاملة في المقال المنشور اليوم هنا."]
    lost = "الفقرة الثانية التي فقدها الاستخراج الدقيق وهي طويلة أيضا بما يكفي لتعد فقرة من فقرات المقال."
    d = ["كتب فلان الفلاني مراسل الموقع في العاصمة منذ سنوات طويلة ويكتب في السياسة والاقتصاد والمجتمع",
         t[0], lost, "إعلان قصير", t[1], "تعليقات القراء على هذا الخبر كثيرة جدا ولا تعبر عن رأي الموقع أبدا أبدا"]
    assert fill_holes(t, d) == [t[0], lost, t[1]]


def test_json_ld_body_taken_when_it_holds_what_trafilatura_found():
    paras = ["فقرة أولى طويلة من نص الخبر تكفي لتكون فقرة كاملة في المقال المنشور اليوم.",
             "فقرة ثانية طويلة من نص الخبر تكفي لتكون فقرة كاملة في المقال المنشور اليوم.",
             "فقرة ثالثة لا تظهر في الصفحة لأن الموقع يحملها بسكربت بعد الضغط على زر المزيد."]
    html = f"<html><body><h1>عنوان</h1><p>{paras[0]}</p><p>{paras[1]}</p></body></html>"
    assert best_body(html, None, paras, "عنوان") == (paras, "json-ld")
    assert best_body(html, None, None, "عنوان")[1] == "trafilatura"
