"""A hand-built dump full of mistakes: every bad row is reported with its file and id and skipped,
a file that is not XML is reported, and everything else is imported; nothing crashes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model

from tests.imports.conftest import write_dump
from townhall.content.models import Kudos, Post, Topic
from townhall.imports.services import import_stackexchange
from townhall.reputation.models import BadgeAward
from townhall.support.models import Question

pytestmark = pytest.mark.django_db

USERS = """<users>
  <row Id="1" Reputation="10" CreationDate="2020-01-01T10:00:00.000" DisplayName="Alice Ale" Location="Gent"
       AboutMe="&lt;p&gt;Brewer.&lt;script&gt;alert(1)&lt;/script&gt;&lt;/p&gt;" WebsiteUrl="https://ale.example" />
  <row Id="2" CreationDate="2020-01-02T10:00:00" DisplayName="Bob Bock" AccountId="7" SomeFutureAttribute="x" />
  <row Reputation="1" DisplayName="Nobody" />
  <row Id="abc" DisplayName="Not a number" />
  <row Id="3" CreationDate="yesterday" DisplayName="Bad Date" />
  <row Id="2" DisplayName="Bob again" />
  <row Id="5" DisplayName="Alice Ale" />
</users>"""

POSTS = """<posts>
  <row Id="10" PostTypeId="1" AcceptedAnswerId="11" CreationDate="2020-02-01T10:00:00.000" Score="3" ViewCount="42"
       Body="&lt;p&gt;Which &lt;strong onclick=&quot;x()&quot;&gt;hops&lt;/strong&gt; for a lager?&lt;/p&gt;
&lt;script&gt;steal()&lt;/script&gt;"
       OwnerUserId="1" Title="Best hops for a crisp lager" Tags="&lt;lager&gt;&lt;hops&gt;" AnswerCount="1" />
  <row Id="11" PostTypeId="2" ParentId="10" CreationDate="2020-02-01T11:00:00.000"
       Body="&lt;p&gt;Saaz, always &lt;em&gt;Saaz&lt;/em&gt;.&lt;/p&gt;" OwnerUserId="2" />
  <row Id="12" PostTypeId="2" ParentId="999" CreationDate="2020-02-01T12:00:00.000"
       Body="&lt;p&gt;Orphan&lt;/p&gt;" OwnerUserId="2" />
  <row Id="13" PostTypeId="42" CreationDate="2020-02-01T12:00:00.000" Body="?" />
  <row Id="14" PostTypeId="5" CreationDate="2020-02-01T12:00:00.000" Body="&lt;p&gt;Tag wiki&lt;/p&gt;" />
  <row Id="15" PostTypeId="1" CreationDate="2020-13-45T99:00:00" Title="A question with a broken date" Body="x"
       OwnerUserId="1" />
  <row Id="16" PostTypeId="2" ParentId="15" CreationDate="2020-02-02T10:00:00" Body="&lt;p&gt;Answer to it&lt;/p&gt;"
       OwnerUserId="2" />
  <row Id="17" PostTypeId="1" AcceptedAnswerId="11" CreationDate="2020-02-03T10:00:00" OwnerDisplayName="Ghost Writer"
       Title="Stout or porter for winter evenings" Body="&lt;p&gt;Dark beers.&lt;/p&gt;" Tags="|stout|porter|" />
  <row Id="18" PostTypeId="1" CreationDate="2020-02-04T10:00:00" Title="Who drank all the kriek"
       Body="&lt;p&gt;Gone.&lt;/p&gt;" />
  <row Id="10" PostTypeId="1" CreationDate="2020-02-05T10:00:00" Title="Duplicate of ten" Body="dup" OwnerUserId="2" />
  <row PostTypeId="1" CreationDate="2020-02-05T10:00:00" Title="No id at all" Body="none" />
  <row Id="19" PostTypeId="1" CreationDate="2020-02-05T10:00:00" Body="&lt;p&gt;No title&lt;/p&gt;" OwnerUserId="1" />
</posts>"""

COMMENTS = """<comments>
  <row Id="100" PostId="11" Score="2" Text="Saaz is *the* noble hop." CreationDate="2020-02-01T12:00:00.000"
       UserId="1" />
  <row Id="101" PostId="10" Score="0" Text="Ale or lager yeast?" CreationDate="2020-02-01T10:30:00.000"
       UserDisplayName="Passer By" />
  <row Id="102" PostId="999" Text="On a deleted post" CreationDate="2020-02-01T10:30:00.000" UserId="1" />
  <row Id="103" PostId="11" CreationDate="2020-02-01T10:30:00.000" UserId="1" />
  <row Id="100" PostId="11" Text="Duplicate" CreationDate="2020-02-01T10:30:00.000" UserId="1" />
  <row Id="104" PostId="14" Text="On the tag wiki" CreationDate="2020-02-01T10:30:00.000" UserId="1" />
</comments>"""

VOTES = """<votes>
  <row Id="1" PostId="10" VoteTypeId="2" CreationDate="2020-02-02T00:00:00.000" />
  <row Id="2" PostId="11" VoteTypeId="2" CreationDate="2020-02-02T00:00:00.000" />
  <row Id="3" PostId="11" VoteTypeId="2" CreationDate="2020-02-02T00:00:00.000" />
  <row Id="4" PostId="11" VoteTypeId="3" CreationDate="2020-02-02T00:00:00.000" />
  <row Id="5" PostId="11" VoteTypeId="1" CreationDate="2020-02-03T00:00:00.000" />
  <row Id="6" PostId="999" VoteTypeId="2" CreationDate="2020-02-02T00:00:00.000" />
  <row Id="7" PostId="11" VoteTypeId="2" UserId="1" CreationDate="2020-02-02T00:00:00.000" />
  <row Id="8" PostId="11" VoteTypeId="two" CreationDate="2020-02-02T00:00:00.000" />
  <row Id="2" PostId="11" VoteTypeId="2" CreationDate="2020-02-02T00:00:00.000" />
</votes>"""

BADGES = """<badges>
  <row Id="1" UserId="1" Name="Nice Answer" Date="2020-03-01T00:00:00.000" Class="3" TagBased="False" />
  <row Id="2" UserId="1" Name="lager" Date="2020-03-02T00:00:00.000" Class="2" TagBased="True" />
  <row Id="3" UserId="77" Name="Ghost" Date="2020-03-02T00:00:00.000" Class="3" TagBased="False" />
  <row Id="4" UserId="2" Name="Odd" Date="2020-03-02T00:00:00.000" Class="9" TagBased="False" />
  <row Id="5" UserId="2" Name="Undated" Class="3" TagBased="False" />
  <row Id="6" UserId="2" Name="Old Style" Date="2012-03-02T00:00:00.000" />
</badges>"""


@pytest.fixture
def broken_dump(tmp_path):
    users = USERS.replace('<row Id="5"', '<row Id="4" DisplayName="Bad \udcff byte" />\n  <row Id="5"')
    return write_dump(tmp_path / "brew.stackexchange.com", {
        "Users.xml": (('<?xml version="1.0" encoding="utf-8"?>\n' + users)
                      .encode("utf-8", errors="surrogateescape")),  # a byte that is not UTF-8
        "Posts.xml": POSTS,
        "Comments.xml": COMMENTS,
        "Votes.xml": VOTES,
        "Badges.xml": BADGES,
        "Tags.xml": "This is not XML at all, just a note someone saved as Tags.xml.\n",
    })


@pytest.fixture
def report(broken_dump):
    return import_stackexchange(broken_dump)


def problems(report) -> set[str]:
    return {str(p) for p in report.problems}


def test_every_bad_row_is_reported_with_its_file_and_id(report):
    assert problems(report) == {
        "Users.xml row at line 6: it has no Id",
        "Users.xml Id abc: Id 'abc' is not a number",
        "Users.xml Id 3: CreationDate 'yesterday' is not a date",
        "Users.xml Id 2: a second row with this Id",
        "Users.xml Id 4: DisplayName holds bytes that are not UTF-8 or characters XML does not allow",
        "Posts.xml Id 10: a second row with this Id: the first one is imported",
        "Posts.xml Id 12: its question (ParentId 999) is not in the dump",
        "Posts.xml Id 13: unknown PostTypeId 42",
        "Posts.xml Id 15: CreationDate '2020-13-45T99:00:00' is not a date",
        "Posts.xml Id 16: its question (ParentId 15) was not imported",
        "Posts.xml Id 17: its accepted answer (AcceptedAnswerId 11) is not an imported answer of this question",
        "Posts.xml Id 19: it has no Title",
        "Posts.xml row at line 22: it has no Id",
        "Comments.xml Id 100: a second row with this Id",
        "Comments.xml Id 102: its post (PostId 999) is not in the dump",
        "Comments.xml Id 103: it has no Text",
        "Votes.xml Id 2: a second row with this Id",
        "Votes.xml Id 6: its post (PostId 999) is not in the dump",
        "Votes.xml Id 8: VoteTypeId 'two' is not a number",
        "Badges.xml Id 3: its member (UserId 77) is not in Users.xml",
        "Badges.xml Id 4: Class 9 is not 1 (gold), 2 (silver) or 3 (bronze)",
        "Badges.xml Id 5: it has no Date",
    }


def test_a_file_that_is_not_xml_is_reported_and_the_rest_is_imported(report):
    assert len(report.file_problems) == 1
    assert report.file_problems[0].startswith("Tags.xml: it is not XML")
    assert "nothing read from it" in report.file_problems[0]
    assert Topic.objects.count() == 3  # 10, 17 and 18; their tags come with them
    assert sorted(Topic.objects.get(imported_from__endswith=":post:17").tags.values_list("name", flat=True)) \
        == ["porter", "stout"]


def test_the_good_rows_are_imported(report):
    User = get_user_model()
    question = Topic.objects.get(imported_from="se:brew-stackexchange:post:10")
    assert question.title == "Best hops for a crisp lager"
    assert question.author.display_name == "Alice Ale"
    assert question.view_count == 42
    assert sorted(question.tags.values_list("name", flat=True)) == ["hops", "lager"]
    answer = Post.objects.get(imported_from="se:brew-stackexchange:post:11")
    assert answer.topic == question and answer.author.username == "bob-bock"
    accepted = Question.objects.get(topic=question)
    assert accepted.accepted_post == answer
    assert accepted.accepted_at == datetime(2020, 2, 3, tzinfo=UTC)  # from the acceptance vote
    question.refresh_from_db()
    assert question.status == "solved"
    assert question.answer_count == 1
    # Two anonymous up votes are numbers; the one that names its voter is Alice's kudos.
    answer.refresh_from_db()
    assert (answer.imported_kudos, answer.kudos_count) == (2, 3)
    assert Kudos.objects.get(post=answer).user.display_name == "Alice Ale"
    assert question.vote_count == question.imported_votes == 1
    # Same display names get different usernames; an unknown attribute is ignored.
    assert set(User.objects.filter(display_name="Alice Ale").values_list("username", flat=True)) \
        == {"alice-ale", "alice-ale-2"}
    assert User.objects.filter(imported_from__startswith="se:brew-stackexchange:user:").count() == 4  # 1, 2, 5, deleted


def test_comments_go_under_their_answer_or_under_the_question(report):
    answer = Post.objects.get(imported_from="se:brew-stackexchange:post:11")
    on_answer = Post.objects.get(imported_from="se:brew-stackexchange:comment:100")
    assert on_answer.parent == answer and not on_answer.is_topic_comment
    assert on_answer.body_html == "<p>Saaz is <em>the</em> noble hop.</p>\n"
    assert on_answer.kudos_count == 2  # its score
    on_question = Post.objects.get(imported_from="se:brew-stackexchange:comment:101")
    assert on_question.parent is None and on_question.is_topic_comment
    assert on_question.author.display_name == "Passer By"
    assert report.not_imported["comments on tag wikis"] == 1


def test_authors_who_are_gone_become_placeholders(report):
    ghost = Topic.objects.get(imported_from__endswith=":post:17").author
    nobody = Topic.objects.get(imported_from__endswith=":post:18").author
    assert ghost.display_name == "Ghost Writer"
    assert nobody.display_name == "Deleted user"
    assert not ghost.has_usable_password() and not nobody.has_usable_password()


def test_html_is_sanitised(report):
    question = Topic.objects.get(imported_from="se:brew-stackexchange:post:10")
    assert "<script" not in question.body_html and "onclick" not in question.body_html
    assert "steal" not in question.body_html
    assert "<strong>hops</strong>" in question.body_html
    assert question.body == "Which **hops** for a lager?"
    alice = get_user_model().objects.get(username="alice-ale")
    assert alice.bio == "Brewer.\n\nWebsite: https://ale.example"
    assert alice.region == "Gent"


def test_badges_get_their_levels(report):
    awards = {a.badge.name: a.badge.level for a in BadgeAward.objects.select_related("badge")}
    assert awards == {"Nice Answer": "bronze", "lager (silver)": "silver", "Old Style": "bronze"}


def test_what_townhall_has_no_place_for_is_counted_not_imported(report):
    assert report.not_imported["posts: tag wikis"] == 1
    assert report.not_imported["votes: down votes (Townhall has none)"] == 1
    assert report.tallies["questions"].created == 3
    assert report.tallies["answers"].created == 1
    assert report.tallies["answers"].skipped == 2


def test_a_file_cut_off_in_the_middle_keeps_the_rows_before_the_break(tmp_path):
    dump = write_dump(tmp_path / "cut", {
        "Posts.xml": POSTS.replace("</posts>", ""),
        "Comments.xml": COMMENTS.replace('<row Id="102"', '<row Id="102" <<broken').replace("</comments>", ""),
    })
    report = import_stackexchange(dump)
    assert Post.objects.filter(imported_from__contains=":comment:").count() == 2  # 100 and 101, before the break
    assert any(p.startswith("Comments.xml: it is not well-formed XML after 2 rows") for p in report.file_problems)
    assert any(p.startswith("Posts.xml: it is not well-formed XML after") for p in report.file_problems)
    assert Topic.objects.count() == 3


def test_a_file_with_the_wrong_root_is_not_read(tmp_path):
    dump = write_dump(tmp_path / "wrong", {"Posts.xml": POSTS, "Votes.xml": USERS})
    report = import_stackexchange(dump)
    assert report.file_problems == ["Votes.xml: its root element is <users>, not <votes>: is it the right file? "
                                    "Nothing read from it."]
    assert report.tallies["votes"].created == 0
