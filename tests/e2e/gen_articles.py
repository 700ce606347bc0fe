#!/usr/bin/env python3
"""Write N made-up plain-text articles (title, dateline, byline, paragraphs)
into DIR/aa/NNNNN.txt, deterministic for a given seed.  Used by the sync
tests and scripts/bench-sync.

usage: gen_articles.py DIR N [SEED]
"""
import os
import random
import sys

WORDS = ("council river harbour minister budget storm election village market "
         "school bridge station festival court police farmers vote tax road "
         "hospital museum report weather rail strike flood summit energy water "
         "housing plan talks agreement protest crowd mayor league season").split()
PLACES = ("Lisbon", "Oslo", "Nairobi", "Lima", "Perth", "Quebec", "Tbilisi",
          "Dakar", "Hanoi", "Cork", "Graz", "Porto")
MONTHS = ("January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December")


def sentence(rnd, n):
    w = [rnd.choice(WORDS) for _ in range(n)]
    return " ".join(w).capitalize() + "."


def article(rnd, i):
    place = rnd.choice(PLACES)
    title = "%s %s %s in %s (%d)" % (rnd.choice(WORDS).capitalize(), rnd.choice(WORDS),
                                     rnd.choice(WORDS), place, i)
    date = "%s %d, %d %d:%02d AM EDT" % (rnd.choice(MONTHS), rnd.randint(1, 28),
                                          rnd.randint(2015, 2023), rnd.randint(1, 11),
                                          rnd.randint(0, 59))
    paras = []
    for _ in range(rnd.randint(2, 5)):
        paras.append(" ".join(sentence(rnd, rnd.randint(6, 14)) for _ in range(rnd.randint(2, 4))))
    return "%s\n%s\nBy Reporter %d\n\n%s\n" % (title, date, i % 97, "\n\n".join(paras))


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    rnd = random.Random(seed)
    for i in range(n):
        d = os.path.join(out, "%02d" % (i % 100))
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "%06d.txt" % i), "w") as f:
            f.write(article(rnd, i))


if __name__ == "__main__":
    main()
