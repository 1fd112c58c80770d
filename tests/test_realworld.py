"""Extraction on the 15 real pages in ../shared/realworld, against what a careful reader sees.

For every page: the title, every question in page order with how its answer starts (None when
the page leaves it unanswered), the answers cut off in the source, and, where the page glues a
date, a table tail or a label to an answer, how the cleaned answer ends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd
import pytest

from qaharvest import clean, extract
from qaharvest.readers import Page
from tests.conftest import REALWORLD


@dataclass(frozen=True)
class Expected:
    title: str | None
    pairs: dict[str, str | None]  # question -> start of its answer; None: unanswered
    truncated: set[str] = field(default_factory=set)
    ends: dict[str, str] = field(default_factory=dict)


PAGES = {
    "01_hydrocortisone-hair-loss.txt": Expected(
        title="Does Hydrocortisone Help With Hair Loss?",
        pairs={
            "What happens if you use too much cortisone cream?": "You’re more likely to have a",
            "What is the best vitamin for hair loss?": "The 5 Best Vitamins for Hair",
            "Is steroid hair loss permanent?": "Taking steroids can further",
            "How do you stop alopecia spreading?": "The following may help you",
            "Do steroid shots work for hair loss?": "Steroid injections have been",
            "What is the best treatment for female hair loss?": "How is female hair loss",
            "Can hair grow back after thinning?": "If the reason for thinning hair",
            "Does hormonal hair loss grow back?": "This type of hair loss happens",
            "Can you put steroid cream on scalp?": "In people with seborrheic",
            "Is hydrocortisone good for alopecia?": "Intralesional corticosteroids:",
            "What’s the difference between cortisone and hydrocortisone?": "Hydrocortisone and cortisone",
            "What steroid cream is used for alopecia?": "Fluocinolone acetonide cream",
            "Does hydrocortisone cream cause hair growth?": "Stinging, burning, irritation,",
            "Can I use hydrocortisone on my scalp?": "When hydrocortisone cream can",
            "Does cortisone stop hair loss?": "Corticosteroid injections, like",
            "What would a dermatologist prescribe for hair loss?": "It can stop hairs from getting",
            "What kills fungus on the scalp?": "Use an antifungal shampoo These",
            "What is the best medicine for alopecia areata?": "Patchy alopecia",
        },
        truncated={
            "What is the best medicine for alopecia areata?",
        },
        ends={
            "What is the best vitamin for hair loss?": "… Zinc.",
        },
    ),
    "02_lowest-birth-rate.txt": Expected(
        title="What Country Has The Lowest Birth Rate?",
        pairs={
            "Which country has the youngest population in the world?": "Niger\nNiger, in Western Africa,",
            "What race has the lowest sperm count?": "Black men had significantly",
            "What are the 3 human races?": "The main human races are",
            "How many babies are born every day in China?": "The number of births decreased",
            "Which country has the lowest birth rate 2019?": "Countries with the highest",
            "Which country is losing the most population?": "India is expected to overtake",
            "What age is the most fertile?": "A woman’s best reproductive",
            "How many babies are born every minute?": "250 babies\nThere are on average",
            "Are birth rates going down?": "The U.S. birth rate – which",
            "What is the fastest shrinking country in the world?": "The UN Population Division",
            "How many babies are born in each country?": "List of countries by number of",
            "Which countries need immigrants?": "A global survey released in",
            "Which country has the highest death rate 2019?": "LesothoSecondary",
            "Which country in Europe has the lowest birth rate?": "Germany\nGermany has the lowest",
            "What is the poorest country in the Europe?": "Financial and social rankings",
            "What race is the most fertile?": "Native Hawaiian and Pacific",
            "What country has the oldest population?": "Japan\nThe Top 50 Countries With",
            "Why are birth rates so low in Europe?": "Several factors are thought to",
            "Are birth rates decreasing?": "The U.S. birth rate declined to",
            "Which country has the lowest birth rate 2018?": "Taiwan\nAccording to the CIA’s",
            "Which country has the most birth rate?": "Niger\nIn 2017, the fertility",
        },
        truncated={
            "How many babies are born in each country?",
            "Which countries need immigrants?",
            "Which country has the highest death rate 2019?",
            "What is the poorest country in the Europe?",
            "What country has the oldest population?",
            "Why are birth rates so low in Europe?",
        },
        ends={
            "How many babies are born in each country?": "Pakistan27,226",
            "What country has the oldest population?": "Portugal10.",
        },
    ),
    "03_harry-potter-pay.txt": Expected(
        title="Who Got Paid The Most In Harry Potter?",
        pairs={
            "Does Emma Watson like Daniel Radcliffe?": "Daniel Radcliffe and Emma",
            "Who is the poorest celebrity?": "10 celebrities that are worth a",
            "What is JK Rowling worth?": "J.K. Rowling is worth at least",
            "Does JK Rowling get royalties from Harry Potter merchandise?": "Official Harry Potter",
            "How much are Harry Potter royalties?": "By the New York Times’",
            "How much did the cast of Harry Potter make per movie?": "So a $25 million pay day per",
            "Do Harry Potter actors get royalties?": "Most celebrities don’t get",
            "Is Rupert Grint married?": "Rupert GrintOccupationActorYears",
            "Did Tom Felton and Emma Watson ever date?": "It would seem that it is only",
            "Is Harry Potter richer than Malfoy?": "First of all, Malfoys have",
            "Who was the highest paid actor in Harry Potter?": "Daniel Radcliffe\nDaniel",
            "How much did Daniel Radcliffe make for each Harry Potter movie?": "Harry Potter and the Prisoner",
            "Who is the richest actor?": "The 20 Richest Actors in the",
            "Does Emma Watson get royalties from Harry Potter?": "According to a media portal’s",
            "Who is the richest celebrity?": "Top 50 Richest",
            "What is Draco Malfoy worth?": "The actor who plays Draco",
            "How much did Emma Watson make for Harry Potter?": "Harry Potter Salary: Emma",
            "How rich is Emma Watson?": "As of 2021, Emma Watson’s net",
            "Who is a trillionaire?": "A trillion is such a huge",
            "Who is Daniel Radcliffe’s girlfriend?": "actress Erin DarkeRupert Grint",
            "Who is Daniel Radcliffe’s wife?": "Erin Darke\nErin",
        },
        truncated={
            "Who is the poorest celebrity?",
            "How much are Harry Potter royalties?",
            "Is Rupert Grint married?",
            "Who is the richest actor?",
            "Who is the richest celebrity?",
            "Who is a trillionaire?",
        },
        ends={
            "Who is a trillionaire?": "Net worth$18 billion",
            "Who is the richest actor?": "Net Worth: $3 Billion.",
        },
    ),
    "04_shein-discount-code.txt": Expected(
        title="How Do I Get A Shein Discount Code?",
        pairs={
            "How do you get a Shein promo code?": "How to redeem a Promo Code.\n\nAt",
            "How much is Shein delivery?": "E-GIFT CARDShipping",
            "Is Shein shipping free on Sundays?": "Do they ship on weekends? Yes,",
            "What is the best promo code website?": "Best coupon websitesAmazon",
            "What is a discount code?": "Definition: Discount codes are",
            "Why is Shein a bad company?": "Shein has historically used",
            "How do I get a huge discount on Shein?": "SHEIN FAQs The easiest way to",
            "How do you save on Shein?": "Tips & Tricks to Save at",
            "How do I create a discount code?": "Create a Promo CodeChoose a",
            "Does Shein have a student discount?": "Yes, SHEIN does offer student",
            "Why do promo codes never work?": "Among the most common reasons a",
            "Where can I get a promo code?": "10 of the Best Websites to Find",
            "Does Shein do birthday discounts?": "No, SHEIN does not offer",
            "Does Shein steal credit card info?": "Home » Cybersecurity » Data",
            "How do I use multiple Shein codes?": "Apply Shein Promo Code in your",
            "How do I stack Shein codes?": "Can you stack coupons at SHEIN?",
            "Why is Shein so cheap?": "So there you have it: SHEIN",
            "Is Shein safe to buy from?": "SheIn is not a scam, it is a",
            "Is Shein legit?": "SheIn is the best online",
            "Why you shouldn’t buy from Shein?": "SheIn clothing is horrible for",
        },
        truncated={
            "How much is Shein delivery?",
            "What is the best promo code website?",
            "How do you save on Shein?",
            "Where can I get a promo code?",
        },
    ),
    "05_partner-happiness.txt": Expected(
        title="How Do I Stop Relying On My Partner For Happiness?",
        pairs={
            "Is it bad to be dependent on your boyfriend?": "Close bonds soothe our brains,",
            "How do I stop relying on my boyfriend for happiness?": "How to stop your emotional",
            "What are the 4 types of relationships?": "Here are the four major types",
            "What are the 5 most important things in a relationship?": "If you want to be that",
            "How do you know if your not happy in a relationship?": "These are some signs that you",
            "What is emotional dependency relationship?": "Within the context of a",
            "How do I stop relying on others for happiness?": "It’s much better to rely on",
            "How do you know if someone is emotionally dependent on you?": "Other key signs of emotional",
            "What does it mean to be emotionally independent?": "Emotional independence is a",
            "What is true happiness in a relationship?": "True happiness is the gentle",
            "How do I know if I want to be with someone?": "Relationship experts say these",
            "What causes emotional neediness?": "High stress, relationship",
            "How do you deal with mood swings in a relationship?": "Instead of singling out your",
            "Is your partner responsible for your happiness?": "And even though happiness",
            "How do you maintain happiness in a relationship?": "10 tips for a happy",
            "What is a happy relationship?": "In a happy relationship, you",
            "Is it healthy to need your partner?": "When considering",
            "How can you tell you’re being used?": "“The basic yardstick for",
        },
        truncated={
            "How do I stop relying on my boyfriend for happiness?",
            "How do you know if your not happy in a relationship?",
            "How do I know if I want to be with someone?",
            "How do you maintain happiness in a relationship?",
        },
    ),
    "06_vegan-chocolate.txt": Expected(
        title="Can Vegans Eat Dairy Milk Chocolate?",
        pairs={
            "Is peanut butter is vegan?": "Most peanut butter is a simple",
            "Are bananas vegan?": "Besides being a staple postrace",
            "Can Vegans eat Hershey’s chocolate?": "Is Hershey’s Vegan? All of",
            "Can Vegans eat cheese?": "On the other hand, vegans avoid",
            "Is Dairy Milk vegan?": "Cadbury, the almost 200",
            "Can vegan drink alcohol?": "Alcoholic drinks are not",
            "What snacks are dairy free?": "Snacks with Crackers, Pretzels,",
            "Is it cheaper to go vegan?": "“Eating vegan, contrary to",
            "Is Dairy Milk chocolate dairy free?": "Avoid Milk Chocolate Milk",
            "Is dairy milk made from pig?": "Cadbury Dairy Milk Contains",
            "Can Vegans eat pasta?": "Is pasta vegan? Most packaged",
            "Are Snickers vegan?": "Are Snickers Vegan?",
            "Can Vegans eat Cadbury chocolate?": "Last year, Galaxy launched a",
            "What chocolate has no milk?": "The Best Vegan Dairy-Free",
            "Will becoming a vegan lose weight?": "But research has also suggested",
            "Can I eat chocolate if lactose intolerant?": "Depending on how mild or severe",
            "What type of chocolate can vegans eat?": "High-quality dark chocolate is",
            "Why is vegan chocolate so expensive?": "Despite there being no trace of",
        },
        truncated={
            "What snacks are dairy free?",
            "Can Vegans eat Cadbury chocolate?",
            "What chocolate has no milk?",
        },
    ),
    "07_ugliest-fish.txt": Expected(
        title="What Is The Ugliest Fish In The World?",
        pairs={
            "What is the strongest animal in the world?": "Top 10 Strongest AnimalsDung",
            "What is the cutest fish?": "Clownfish. … Picasso",
            "Do blobfish bite you?": "Blobfish don’t bite, they have",
            "What is the prettiest animal?": "20+ Beautiful Animals We Can’t",
            "What is the smartest animal in the world?": "CHIMPANZEES. RECKONED to be the",
            "What is the ugliest animal in the world 2020?": "blobfish\nThe Ugly Animal",
            "Which fish is the most dangerous?": "10 of the World’s Most",
            "Can blobfish be pets?": "You Can’t Have a Blobfish as a",
            "What is the coolest fish in the world?": "10 craziest fish and where to",
            "Do blobfish have brains?": "“There is a brain in there.”",
            "What do blobfish get eaten by?": "The only natural enemy of",
            "What is the most unique fish?": "Either way, here are ten of the",
            "Is the blobfish dangerous?": "As you can see from the",
            "Can blobfish survive out of water?": "Blob fish can be found",
            "Can the blobfish swim?": "Blobfish live a pretty",
            "Is blobfish dead?": "Because blobfish are found only",
            "Can you eat blobfish?": "The world’s ugliest fish is",
            "Why is the blobfish the ugliest animal?": "Its appearance is hard to",
        },
        truncated={
            "What is the strongest animal in the world?",
            "What is the cutest fish?",
            "What is the prettiest animal?",
            "Which fish is the most dangerous?",
            "What is the coolest fish in the world?",
            "What is the most unique fish?",
        },
    ),
    "08_bernhard-langer-caddy.txt": Expected(
        title="Who Is Bernhard Langer’S Caddy?",
        pairs={
            "What’s in Bernhard Langer’s bag?": "At the bottom of the bag he has",
            "What is Jack Nicklaus net worth?": "JACK NICKLAUS (By AP Photo/Jay",
            "How much is Tiger Woods Net Worth?": "In 2018, Woods’ estimated net",
            "What is in Fred Couples bag?": "Old school tries new school.",
            "What’s in the bag Darren Clarke?": "Driver: Taylormade R9 with",
            "How old is Darren Clarke?": "52 years (August 14, 1968)",
            "How old is Lee Trevino?": "81 years (December 1, 1939)",
            "How far does Bernhard Langer drive the ball?": "Boosting his driving distance",
            "Who is the richest golfer?": "Here’s a quick recap of the 25",
            "What’s in Steve Stricker’s bag?": "At the top of the bag he has a",
            "How much money has Bernhard Langer made on the Champions Tour?": "Champions Tour Money Leaders –",
            "How much is Donald Trump worth?": "2.5 billion USD (2021)",
            "How old is Fred Couples?": "61 years (October 3, 1959)",
            "How old is Larry Mize?": "62 years (September 23, 1958)",
            "What is Bernhard Langer’s net worth?": "Bernhard Langer Net Worth and",
            "Who is Bernhard Langer’s wife?": "Vikki Carolm. 1984\nLanger has",
            "How old is Dustin Johnson?": "36 years (June 22, 1984)",
            "Who is the richest athlete in the world?": "Messi tops Forbes’ 2019 list of",
        },
        truncated={
            "Who is the richest golfer?",
            "How much money has Bernhard Langer made on the Champions Tour?",
        },
        ends={
            "How old is Darren Clarke?": "(August 14, 1968)",
            "How much is Donald Trump worth?": "billion USD (2021)",
            "How much money has Bernhard Langer made on the Champions Tour?": "Ernie Els$1,536,038",
        },
    ),
    "09_karate-invented.txt": Expected(
        title="When Was Karate Invented?",
        pairs={
            "Who created karate?": "The Father of Modern Karate.",
            "What is the oldest martial art?": "Kalaripayattu Although",
            "How long has karate been around?": "Karate history can be traced",
            "Why was karate created?": "Karate, the Japanese word for",
            "Is Kung Fu from India?": "And that was Shaolin not Kung –",
            "Who is the best karate fighter in the world?": "1. Bruce Lee. Bruce Lee remains",
            "Is Kung Fu older than karate?": "” Kung Fu ” is a modern term",
            "What is the most brutal fighting style?": "Kung Fu. Getty No list of",
            "Is Kung Fu derived from Kalaripayattu?": "Kung Fu originated from shaolin",
            "What country invented karate?": "Karate evolved in East Asia",
            "Does Karate actually work?": "Karate can certainly be",
            "What are the 4 major styles of karate?": "The four main karate styles are",
            "Does Karate come from China?": "Karate is a type of Japanese",
            "Is karate from kung fu?": "Karate originates from Japan",
            "Who is the father of karate?": "If there is one man who could",
        },
    ),
    "10_silicone-utensils.txt": Expected(
        title="Is silicone safe for cooking utensils?",
        pairs={
            "Is silicone safe for cooking utensils?": "In 1979, the U.S. The Food and",
            "Is silicone cookware toxic?": "The short answer is yes,",
            "Is it safe to use silicone cooking utensils?": "Silicone utensils are a durable",
            "Are silicone spatulas safe to cook with?": "Silicone cooking utensils are",
            "Does silicone contain BPA?": "Benefits of food grade",
            "Is silicone as bad as plastic?": "Why is silicone better than",
            "Are silicone utensils better than plastic?": "Silicone is indisputably safer",
            "Which type of utensil is best for cooking?": "What Kind of Utensils are Ideal",
            "Which is safer nylon or silicone cooking utensils?": "Most chefs prefer silicone over",
            "Are all silicone spatulas heat-resistant?": "Heat resistance – Silicone can",
            "Are silicone utensils heat-resistant?": "Silicone is a fantastic option",
            "Are silicone muffin cups safe?": "The FDA has approve silicone as",
            "How can you tell if food grade is silicone?": "Hold the silicone product by",
            "What are silicone utensils made of?": "Silicone, a synthetic rubber",
            "Is 100% silicone food safe?": "Essentially, a silicone",
        },
    ),
    "16_family-therapy-faq.txt": Expected(
        title=None,
        pairs={
            "Is there a fee?": "No, the clinical family therapy",
            "Who qualifies for therapy?": "Families with children between",
            "Do I need a referral?": "No, families can self-refer for",
            "Should everyone in the family attend, even if the issue is about one child only?": "Preferably yes, however the",
            "We are divorced. Does my ex-partner need to give consent for our child to attend?": "Yes, we request consent if you",
            "Are you open weekends/evenings?": "No, we are daytime hours.",
            "How long are the sessions and how many sessions are there?": "The sessions can run from one",
            "How confidential is the information?": "We use the same protocols as",
            "Where can I park?": "We have one designated parking",
            "What are the therapists/counsellors backgrounds?": "All of our therapists",
        },
        ends={
            "What are the therapists/counsellors backgrounds?": "specialize in family therapy.",
        },
    ),
    "17_sliding-door-help.txt": Expected(
        title=None,
        pairs={
            "Has my order shipped?": None,
            "How do I change quantities/cancel an item?": None,
            "How do I track my order?": None,
            "How do I create an account?": None,
            "How do I edit my account information?": None,
            "How much is my shipping?": None,
            "How do I return my product?": None,
            "What is your return policy?": None,
            "When will my order ship?": None,
            "Do you ship to my country?": None,
            "Do I have to pay sales tax?": None,
            "What are my payment choices?": None,
            "When will my credit appear on my account?": None,
            "When will my credit card be charged?": None,
            "How do I contact you?": None,
        },
    ),
    "18_kilts-faq.txt": Expected(
        title=None,
        pairs={
            "What tartans can I wear?": "Your name search may have",
            "I am not Scottish! Can I wear a kilt?": "Of course you can! Even if you",
            "How do I wear a kilt?": "A gentlemen’s kilt closes right",
            "How do I wear a sporran?": "The sporran should be centered",
            "What do the different terms associated with tartans mean, for example Ancient or Modern; Hunting or Dress?": "The first thing many people ask",
            "How do I wear kilt hose?": "The kilt hose (socks) should be",
            "How do I wear flashes?": "These should be worn on the",
            "How do I wear a Sgian Dhub?": "The sgian Dhub (black knife) is",
            "How do I wear Ghillie Brogues?": "To tie the laces on the Ghille",
            "When can I wear a kilt?": "There is not a single situation",
            "What is the correct outfit for different events?": "Formal Dress: this can be worn",
            "What types of kilt are there?": "Essentially there are two types",
            "How much material is in a kilt?": "Generally a Kilt is 8 Yds in a",
            "What are the different weights of tartan?": "Kilting Tartan comes in three",
            "What is the difference between Modern, Ancient, Hunting etc?": "Ancient: This term has nothing",
        },
    ),
    "19_chili-faq.txt": Expected(
        title="Chili Faqs",
        pairs={
            "Why is chili hot to taste?": "Chili is hot and stimulating",
            "Which is the hottest chili in the world? Where is it found?": "The hottest chili in the world",
            "What is Scoville Scale?": "Scoville Scale is a method of",
            "What is the origin of the chili?": "Chili was used in Mexico as",
            "When was chili introduced in India?": "In May 28, 1498, Chili was",
            "What are Mexican Ristras?": "The Mexican Ristras is the",
            "How to dry chilies?": "You can lay out the chilies in",
            "How to preserve chilies for longer time?": "You can dry, freeze, or smoke",
            "The color of dried and grounded chili powder fades away after few days. How to preserve the color of chili powder for longer time?": "To preserve the color of the",
            "How to prevent the throat irritation while frying the chili powder?": "Add little salt to prevent",
            "What is the remedy if I have burned my mouth from eating too much of chili?": "Milk, Milk cream, curd, and",
            "How to reduce the burning sensation caused by chili or chili powder while handling them?": "Apply oil to your hands before",
        },
        ends={
            "How to reduce the burning sensation caused by chili or chili powder while handling them?": "wash them with sugar and tamarind.",
        },
    ),
    "20_flower-farm-interview.txt": Expected(
        title=None,
        pairs={
            "How long have you been preserving flowers with freeze drying? When and where did the floriculture life begin for you?": "I started in 1988 in",
            "What (or who) inspired you to raise flowers and learn to preserve the petals?": "My grandparents always had an",
            "Do you grow flowers other than roses?": "We grow roses, hydrangea,",
            "What do you enjoy most about the craft of drying rose petals for weddings and special events?": "Hands down it is the joy of",
            "What are some of the ways folks can incorporate your flower petals into their celebrations?": "The uses for our petals are",
            "Where can your flower petals be purchased at this time?": None,
            "Freeze dried rose petals can be used in culinary projects. Have you ever done this?": "We have made a number of items",
            "What resources do you find invaluable to the novice flower farmer? Do you have any tips for folks who might want to try freeze-drying their own rose petals from their gardens?": "Freeze drying utilizes highly",
        },
        ends={
            "What resources do you find invaluable to the novice flower farmer? Do you have any tips for folks who might want to try freeze-drying their own rose petals from their gardens?": "until you try it!",
        },
    ),
}

_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? \d{1,2}, \d{4}"
# Lines and fragments a reader never wants inside an answer.
JUNK_IN_ANSWER = re.compile(
    r"You might be interested|THIS IS EXCITING|Leave a (?:Reply|Comment)|Related posts|"
    r"More items|\d more (?:rows|columns)|YouTube|Starts here|click here|^©|Sitemap|"
    r"Share in the comments|Facebook|Instagram|We loved hearing|Kindly visit|"
    r"Chili Photo Gallery|[A-Z][a-z]+/(?:Age|Wife|Net worth)\b|"
    rf"^{_MONTH}|(?:[.•·]|[a-z]\.?)\s?{_MONTH}\W*$"
)


def pairs(name: str) -> pd.DataFrame:
    text = (REALWORLD / name).read_text(encoding="utf-8")
    return clean.clean_frame(extract.extract_page(Page(file=name, text=text)).frames()[0])


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_pairs_match_a_careful_reading(name: str):
    want = PAGES[name]
    occ = pairs(name)
    assert list(occ["question"]) == list(want.pairs)
    for question, answer, start in zip(
        occ["question"], occ["answer"], want.pairs.values(), strict=True
    ):
        if start is None:
            assert pd.isna(answer), question
        else:
            assert isinstance(answer, str) and answer.startswith(start), (question, answer[:80])
    assert set(occ["title"].dropna()) == ({want.title} if want.title else set())
    assert set(occ.loc[occ["answer_truncated"], "question"]) == want.truncated
    got = dict(zip(occ["question"], occ["answer"], strict=True))
    for question, end in want.ends.items():
        assert got[question].endswith(end), (question, got[question][-80:])


@pytest.mark.parametrize("name", sorted(PAGES))
def test_no_junk_line_or_glued_date_in_answers(name: str):
    occ = pairs(name)
    for question, answer in zip(occ["question"], occ["answer"], strict=True):
        for line in answer.split("\n") if isinstance(answer, str) else []:
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


@pytest.mark.parametrize("name", sorted(PAGES))
def test_cleaning_is_idempotent_on_real_pages(name: str):
    occ = pairs(name)
    again = clean.clean_frame(occ.drop(columns=["answer_truncated"]))
    assert list(again["question"]) == list(occ["question"])
    assert [a if isinstance(a, str) else None for a in again["answer"]] == [
        a if isinstance(a, str) else None for a in occ["answer"]
    ]
