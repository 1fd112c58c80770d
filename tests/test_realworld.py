"""Extraction on the 15 real pages in ../shared/realworld, against what a careful reader sees.

Each page lists how many answered pairs a reader finds, every question left unanswered, and
spot checks of answers (question → how the answer starts) on the tricky spots of that page.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from qaharvest import clean, extract
from qaharvest.readers import Page
from tests.conftest import REALWORLD

PAGES = {
    "01_hydrocortisone-hair-loss.txt": {
        "title": "Does Hydrocortisone Help With Hair Loss?",
        "answered": 18,
        "unanswered": set(),
        "answers": {
            "What is the best treatment for female hair loss?": "How is female hair loss treated? Minoxidil (Rogaine) 5%",
            "What is the best vitamin for hair loss?": "The 5 Best Vitamins for Hair Loss",
        },
        "truncated": {"What is the best medicine for alopecia areata?"},
    },
    "02_lowest-birth-rate.txt": {
        "title": "What Country Has The Lowest Birth Rate?",
        "answered": 21,
        "unanswered": set(),
        "answers": {
            "Which country has the youngest population in the world?": "Niger\nNiger, in Western",
            "Which country in Europe has the lowest birth rate?": "Germany\nGermany has",
            "Are birth rates decreasing?": "The U.S. birth rate declined to 11.59",
        },
        "truncated": {
            "Which countries need immigrants?",
            "How many babies are born in each country?",
            "What country has the oldest population?",
        },
    },
    "03_harry-potter-pay.txt": {
        "title": "Who Got Paid The Most In Harry Potter?",
        "answered": 21,
        "unanswered": set(),
        "answers": {
            "Does Emma Watson like Daniel Radcliffe?": "Daniel Radcliffe and Emma Watson did not date each other.\n\nWhile fans",
            "Who was the highest paid actor in Harry Potter?": "Daniel Radcliffe\nDaniel Radcliffe highest paid",
        },
        "truncated": {"How much are Harry Potter royalties?"},
    },
    "04_shein-discount-code.txt": {
        "title": "How Do I Get A Shein Discount Code?",
        "answered": 20,
        "unanswered": set(),
        "answers": {
            "Is Shein shipping free on Sundays?": "Do they ship on weekends? Yes, SHEIN does",
            "How do you get a Shein promo code?": "How to redeem a Promo Code.\n\nAt checkout",
        },
    },
    "05_partner-happiness.txt": {
        "title": "How Do I Stop Relying On My Partner For Happiness?",
        "answered": 18,
        "unanswered": set(),
        "answers": {
            "Is it bad to be dependent on your boyfriend?": "Close bonds soothe our brains",
            "How can you tell you’re being used?": "“The basic yardstick",
        },
    },
    "06_vegan-chocolate.txt": {
        "title": "Can Vegans Eat Dairy Milk Chocolate?",
        "answered": 18,
        "unanswered": set(),
        "answers": {"Is dairy milk made from pig?": "Cadbury Dairy Milk Contains Pigs DNA"},
        "truncated": {"What snacks are dairy free?"},
    },
    "07_ugliest-fish.txt": {
        "title": "What Is The Ugliest Fish In The World?",
        "answered": 18,
        "unanswered": set(),
        "answers": {
            "What is the strongest animal in the world?": "Top 10 Strongest Animals",
            "Do blobfish bite you?": "Blobfish don’t bite",
        },
        "truncated": {"What is the strongest animal in the world?"},
    },
    "08_bernhard-langer-caddy.txt": {
        "title": "Who Is Bernhard Langer’S Caddy?",
        "answered": 18,
        "unanswered": set(),
        "answers": {
            "How far does Bernhard Langer drive the ball?": "Boosting his driving distance",
            "How old is Lee Trevino?": "81 years (December 1, 1939)",
        },
    },
    "09_karate-invented.txt": {
        "title": "When Was Karate Invented?",
        "answered": 15,
        "unanswered": set(),
        "answers": {
            "Why was karate created?": "Karate, the Japanese word for “empty hands,”",
            "Is Kung Fu from India?": "And that was Shaolin not Kung",
        },
    },
    "10_silicone-utensils.txt": {
        "title": "Is silicone safe for cooking utensils?",
        "answered": 15,
        "unanswered": set(),
        "answers": {
            "Is silicone safe for cooking utensils?": "In 1979, the U.S.",
            "Which type of utensil is best for cooking?": "What Kind of Utensils are Ideal for Cooking?\n\n1. Stainless Steel.",
            "Does silicone contain BPA?": "Benefits of food grade silicone:\n\nHighly resistant",
        },
    },
    "16_family-therapy-faq.txt": {
        "title": None,
        "answered": 10,
        "unanswered": set(),
        "answers": {
            "Is there a fee?": "No, the clinical family therapy services are funded",
            "We are divorced. Does my ex-partner need to give consent for our child to attend?": "Yes, we request consent",
            "How confidential is the information?": "We use the same protocols",
        },
    },
    "17_sliding-door-help.txt": {
        "title": None,
        "answered": 0,
        "unanswered": {
            "Has my order shipped?",
            "How do I change quantities/cancel an item?",
            "How do I track my order?",
            "How do I create an account?",
            "How do I edit my account information?",
            "How much is my shipping?",
            "How do I return my product?",
            "What is your return policy?",
            "When will my order ship?",
            "Do you ship to my country?",
            "Do I have to pay sales tax?",
            "What are my payment choices?",
            "When will my credit appear on my account?",
            "When will my credit card be charged?",
            "How do I contact you?",
        },
        "answers": {},
    },
    "18_kilts-faq.txt": {
        "title": None,
        "answered": 15,
        "unanswered": set(),
        "answers": {
            "I am not Scottish! Can I wear a kilt?": "Of course you can!",
            "What is the correct outfit for different events?": "Formal Dress: this can be worn on occasions when a dinner suit or tuxedo would be "
            "worn such as a wedding or ball\nSemi Dress:",
            "What is the difference between Modern, Ancient, Hunting etc?": "Ancient: This term",
        },
    },
    "19_chili-faq.txt": {
        "title": "Chili Faqs",
        "answered": 12,
        "unanswered": set(),
        "answers": {
            "Which is the hottest chili in the world? Where is it found?": "The hottest chili in the world is the “Naga Jolokia”",
            "How to prevent the throat irritation while frying the chili powder?": "Add little salt to prevent throat burning.",
        },
    },
    "20_flower-farm-interview.txt": {
        "title": None,
        "answered": 7,
        "unanswered": {"Where can your flower petals be purchased at this time?"},
        "answers": {
            "How long have you been preserving flowers with freeze drying? When and where did the "
            "floriculture life begin for you?": "I started in 1988 in California",
            "Freeze dried rose petals can be used in culinary projects. Have you ever done this?": "We have made a number of items",
        },
    },
}

# Lines a reader never wants inside an answer.
JUNK_IN_ANSWER = re.compile(
    r"You might be interested|THIS IS EXCITING|Leave a (?:Reply|Comment)|Related posts|"
    r"More items|\d+ more (?:rows|columns)|YouTube|Starts here|click here|^©|Sitemap|"
    r"Share in the comments|Facebook|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* "
    r"\d{1,2}, \d{4}\W*$",
    re.IGNORECASE,
)


def pairs(name: str) -> pd.DataFrame:
    path = REALWORLD / name
    ex = extract.extract_page(Page(file=name, text=path.read_text(encoding="utf-8")))
    return clean.clean_frame(ex.frames()[0])


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_pairs_match_a_careful_reading(name: str):
    want = PAGES[name]
    occ = pairs(name)
    answered = occ[occ["answer"].notna()]
    got = dict(zip(answered["question"], answered["answer"], strict=True))
    assert len(answered) == want["answered"]
    assert set(occ.loc[occ["answer"].isna(), "question"]) == want["unanswered"]
    for question, start in want["answers"].items():
        assert got[question].startswith(start), question
    titles = set(occ["title"].dropna())
    assert titles == ({want["title"]} if want["title"] else set())
    flagged = set(answered.loc[answered["answer_truncated"], "question"])
    assert want.get("truncated", set()) <= flagged


@pytest.mark.parametrize("name", sorted(PAGES))
def test_no_junk_line_or_glued_date_in_answers(name: str):
    occ = pairs(name)
    for question, answer in zip(occ["question"], occ["answer"], strict=True):
        if isinstance(answer, str):
            for line in answer.split("\n"):
                assert not JUNK_IN_ANSWER.search(line), (question, line)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_line_accounting_adds_up(name: str):
    text = (REALWORLD / name).read_text(encoding="utf-8")
    ex = extract.extract_page(Page(file=name, text=text))
    acc = extract.line_accounting(ex.line_counts)
    assert acc["read"] == len(text.splitlines())
    assert acc["read"] == sum(v for k, v in acc.items() if k != "read")
    noise = ex.frames()[1]
    assert len(noise) == acc["noise"] and noise["rule"].str.len().gt(0).all()
